"""The booker edits or withdraws an undecided handoff."""

from __future__ import annotations

from datetime import datetime

from handoff.lifecycle.base import (
    HandoffRepository,
    Outcome,
    Refusal,
    RefusalKind,
    get_or_raise,
)
from handoff.lifecycle.decisions import decider, score_data
from handoff.model import (
    OPEN_STATUSES,
    Handoff,
    Qualification,
    Score,
    Status,
)


def edit_refusal(handoff: Handoff, actor: str) -> Refusal | None:
    """Why `actor` may not edit or withdraw this handoff now, or None if they may."""
    if actor != handoff.sdr_id:
        return Refusal(RefusalKind.NOT_BOOKER, handoff.status, handoff.sdr_id)
    if handoff.status == Status.WITHDRAWN:
        return Refusal(RefusalKind.WITHDRAWN, handoff.status, handoff.sdr_id)
    if handoff.status == Status.CANCELED:
        return Refusal(RefusalKind.CANCELED, handoff.status, None)
    if handoff.status in (Status.ACCEPTED, Status.REJECTED):
        return Refusal(RefusalKind.ALREADY_DECIDED, handoff.status, decider(handoff))
    return None


def revise(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    qualification: Qualification,
    score: Score,
    now: datetime,
) -> Outcome:
    """The booker edits an undecided handoff; the brief is re-rendered and marked edited."""
    handoff = get_or_raise(repo, handoff_id)
    refusal = edit_refusal(handoff, actor)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    won = repo.revise(handoff_id, qualification=qualification, score=score, now=now)
    current = get_or_raise(repo, handoff_id)
    if not won:
        return Outcome(current, changed=False, refusal=edit_refusal(current, actor))
    repo.record(handoff_id, actor=actor, kind="edited", data=score_data(score), now=now)
    return Outcome(current, changed=True)


def withdraw(repo: HandoffRepository, handoff_id: int, *, actor: str, now: datetime) -> Outcome:
    """The booker takes back an undecided handoff; the brief loses its buttons."""
    handoff = get_or_raise(repo, handoff_id)
    refusal = edit_refusal(handoff, actor)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    won = repo.compare_and_set(
        handoff_id,
        from_statuses=OPEN_STATUSES,
        to_status=Status.WITHDRAWN,
        changes={"updated_at": now},
    )
    current = get_or_raise(repo, handoff_id)
    if not won:
        return Outcome(current, changed=False, refusal=edit_refusal(current, actor))
    repo.record(handoff_id, actor=actor, kind="withdrawn", data={}, now=now)
    return Outcome(current, changed=True)
