"""Transitions of a handoff: who may move it, from which state, with an audit event.

Each transition is a compare-and-set through the repository, so two AEs clicking
at once get one winner and one polite answer naming the winner.
"""

from handoff.lifecycle.base import (
    HandoffRepository,
    Outcome,
    Refusal,
    RefusalKind,
    UnknownHandoff,
    get_or_raise,
)
from handoff.lifecycle.decisions import (
    accept,
    decider,
    decision_refusal,
    mark_posted,
    reject,
    score_data,
    submit,
)
from handoff.lifecycle.disputes import (
    DISPUTE_CASE_MAX,
    DisputeRepository,
    dispute,
    dispute_refusal,
    dispute_window,
    resolve_dispute,
    resolve_refusal,
)
from handoff.lifecycle.edits import (
    edit_refusal,
    revise,
    withdraw,
)
from handoff.lifecycle.outcomes import (
    OutcomeRepository,
    log_outcome,
    meeting_canceled,
    meeting_moved,
    no_show_reported,
    outcome_refusal,
    reassign,
    reassign_refusal,
)

__all__ = [
    "DISPUTE_CASE_MAX",
    "DisputeRepository",
    "HandoffRepository",
    "Outcome",
    "OutcomeRepository",
    "Refusal",
    "RefusalKind",
    "UnknownHandoff",
    "accept",
    "decider",
    "decision_refusal",
    "dispute",
    "dispute_refusal",
    "dispute_window",
    "edit_refusal",
    "get_or_raise",
    "log_outcome",
    "mark_posted",
    "meeting_canceled",
    "meeting_moved",
    "no_show_reported",
    "outcome_refusal",
    "reassign",
    "reassign_refusal",
    "reject",
    "resolve_dispute",
    "resolve_refusal",
    "revise",
    "score_data",
    "submit",
    "withdraw",
]
