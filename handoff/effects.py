"""What Slack must be told after each change: the side effects a transition implies.

Pure. The caller writes these into the outbox in the transaction that made the change, so
a crash after the commit loses none of them. A *message* is sent once (its key is unique);
a *sync* (the brief, a Home tab, a message that shows a state) is re-armed by every change
and rendered from the database when it is sent, so Slack ends on the latest state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from handoff.model import DisputeStatus, Handoff, MeetingOutcome, MessageKind

SYNCS = frozenset(
    {
        MessageKind.BRIEF,
        MessageKind.HOME,
        MessageKind.DECISION_DM_UPDATE,
        MessageKind.OUTCOME_DMS_UPDATE,
        MessageKind.DISPUTE_DM_UPDATE,
        MessageKind.CRM,
        MessageKind.WEBHOOK,  # re-armed by a replay
    }
)
# The changes after which the CRM is brought in line with the handoff (when there is one).
CRM_CHANGES = frozenset(
    {
        "accepted",
        "rejected",
        "outcome_logged",
        "reassigned",
        "dispute_resolved",
        "meeting_moved",
        "meeting_canceled",
    }
)


class Change(StrEnum):
    """The transitions that have something to tell Slack."""

    SUBMITTED = "submitted"
    REVISED = "revised"
    WITHDRAWN = "withdrawn"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    OUTCOME_LOGGED = "outcome_logged"
    REASSIGNED = "reassigned"
    DISPUTED = "disputed"
    DISPUTE_RESOLVED = "dispute_resolved"
    MEETING_MOVED = "meeting_moved"  # by the scheduling tool it was booked in
    MEETING_CANCELED = "meeting_canceled"  # ... likewise


@dataclass(frozen=True)
class Effect:
    """One side effect. `recipient` names the person for a Home tab or a nudge."""

    kind: MessageKind
    team_id: str
    handoff_id: int | None = None
    level: int = 0
    recipient: str = ""
    booking_id: int | None = None  # a message about a booking that has no handoff yet

    @property
    def sync(self) -> bool:
        return self.kind in SYNCS

    @property
    def key(self) -> str:
        if self.kind == MessageKind.HOME:
            return f"home:{self.team_id}:{self.recipient}"
        if self.kind == MessageKind.CRM_PROBLEM:  # once per problem, whichever handoff hit it
            return f"crm_problem:{self.team_id}:{self.level}"
        if self.booking_id is not None:
            return f"{self.kind.value}:b{self.booking_id}:{self.level}"
        return f"{self.kind.value}:{self.handoff_id}:{self.level}"


def home(team_id: str, user_id: str) -> Effect:
    return Effect(MessageKind.HOME, team_id, recipient=user_id)


def homes(team_id: str, users: Iterable[str | None]) -> list[Effect]:
    """One Home each, in order, for everyone named (blanks and repeats dropped)."""
    seen: dict[str, None] = dict.fromkeys(u for u in users if u)
    return [home(team_id, user) for user in seen]


def concerned(handoff: Handoff, *others: str | None) -> list[str | None]:
    """Whose Home shows this handoff: the booker, the AE who decided, the AE who owns the
    meeting, whoever resolved its dispute, and `others` (usually the person who clicked)."""
    return [
        handoff.sdr_id,
        handoff.decided_by,
        handoff.ae_id,
        handoff.dispute_resolved_by,
        *others,
    ]


def outcome_round(handoff: Handoff) -> int:
    """The round an outcome was logged in (a reschedule has already moved to the next)."""
    if handoff.outcome == MeetingOutcome.RESCHEDULED:
        return handoff.chase_round - 1
    return handoff.chase_round


def after(
    change: Change,
    handoff: Handoff,
    *,
    actor: str,
    previous_owner: str | None = None,
    reassignments: int = 0,
    meeting_changes: int = 0,
    crm: bool = False,
) -> list[Effect]:
    """Everything Slack (and the CRM, when `crm`) must be told once `change` is committed
    for `handoff`."""
    team, hid = handoff.team_id, handoff.id

    def message(kind: MessageKind, level: int = 0) -> Effect:
        return Effect(kind, team, hid, level)

    out = [message(MessageKind.BRIEF)]
    if change in (Change.ACCEPTED, Change.REJECTED, Change.REASSIGNED):
        out.append(message(MessageKind.DECISION_DM))
    if change == Change.OUTCOME_LOGGED:
        level = outcome_round(handoff)
        out += [
            message(MessageKind.OUTCOME_THREAD, level),
            message(MessageKind.OUTCOME_SDR, level),
            message(MessageKind.OUTCOME_DMS_UPDATE),
        ]
    if change == Change.REASSIGNED:
        out.append(message(MessageKind.REASSIGN_THREAD, reassignments))
    if change in (Change.MEETING_MOVED, Change.MEETING_CANCELED) and meeting_changes:
        # The nth move or cancellation: said in the brief's thread, and to its AE.
        out.append(message(MessageKind.MEETING_THREAD, meeting_changes))
        if handoff.reassigned_ae_id or handoff.decided_by:
            out.append(message(MessageKind.MEETING_AE, meeting_changes))
    if change == Change.DISPUTED:
        out += [message(MessageKind.DISPUTE), message(MessageKind.DECISION_DM_UPDATE)]
    if change == Change.DISPUTE_RESOLVED:
        out.append(message(MessageKind.DISPUTE_RESULT))
        if handoff.dispute_status == DisputeStatus.OVERTURNED:
            out.append(message(MessageKind.DISPUTE_THREAD))
        out += [message(MessageKind.DISPUTE_DM_UPDATE), message(MessageKind.DECISION_DM_UPDATE)]
    # The CRM last: its calls are slower than Slack's and nobody is waiting on them.
    crm_sync = [message(MessageKind.CRM)] if crm and change.value in CRM_CHANGES else []
    return out + homes(team, concerned(handoff, actor, previous_owner)) + crm_sync
