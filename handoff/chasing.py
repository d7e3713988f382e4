"""Which chases are due for a handoff at a given instant. Pure: the sweep asks, the ledger sends.

Every chase has a ledger key (kind, level). The level encodes the round and the
nth chase of that round (`round * 100 + nth`): a reschedule starts a new round,
so the outcome chase for the new date never collides with the old one's keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from handoff.businesstime import BusinessClock
from handoff.model import Handoff, MeetingOutcome, Status

ROUND_SIZE = 100


class ChaseKind(StrEnum):
    REMINDER = "chase_reminder"  # a reply in the brief's thread
    ESCALATION = "chase_escalation"  # a direct message to the managers
    OUTCOME = "chase_outcome"  # a direct message to the AE asking how the meeting went


@dataclass(frozen=True)
class Chase:
    handoff_id: int
    kind: ChaseKind
    level: int
    nth: int  # 1 for the first chase of its round
    due_at: datetime


def ledger_level(round_: int, nth: int) -> int:
    return round_ * ROUND_SIZE + nth


# (kind, level) -> when it was sent, None while claimed and not (yet) sent.
Sent = Mapping[tuple[str, int], datetime | None]


def due_chases(
    handoff: Handoff, *, sent: Sent, clock: BusinessClock, now: datetime, managers: bool
) -> list[Chase]:
    """The chases to send now. One still claimed but unsent is returned again: the
    ledger decides whether its sender crashed (stale claim) or is still at it."""
    if clock.is_quiet(now):
        return []
    policy = clock.policy
    due: list[Chase] = []
    if handoff.status == Status.PENDING and handoff.brief_ts:
        start = handoff.submitted_at
        reminder = clock.add_hours(start, policy.response_sla_hours)
        due += _once(handoff, ChaseKind.REMINDER, reminder, sent, now)
        if managers:
            escalation = clock.add_days(start, policy.escalation_sla_days)
            due += _once(handoff, ChaseKind.ESCALATION, escalation, sent, now)
    if _outcome_missing(handoff):
        due += _outcome_chase(handoff, sent, clock, now)
    return due


def _outcome_missing(handoff: Handoff) -> bool:
    return (
        handoff.status == Status.ACCEPTED
        and handoff.ae_id is not None
        and handoff.outcome in (None, MeetingOutcome.RESCHEDULED)
    )


def _once(
    handoff: Handoff, kind: ChaseKind, due_at: datetime, sent: Sent, now: datetime
) -> list[Chase]:
    key = (kind.value, ledger_level(0, 1))
    if now < due_at or (key in sent and sent[key] is not None):
        return []
    return [Chase(handoff.id, kind, key[1], 1, due_at)]


def _outcome_chase(
    handoff: Handoff, sent: Sent, clock: BusinessClock, now: datetime
) -> list[Chase]:
    policy = clock.policy
    round_ = handoff.chase_round
    last = 0
    for nth in range(1, policy.outcome_chases + 1):
        if (ChaseKind.OUTCOME.value, ledger_level(round_, nth)) in sent:
            last = nth
    if last:
        last_sent = sent[(ChaseKind.OUTCOME.value, ledger_level(round_, last))]
        if last_sent is None:  # claimed, not sent: let the ledger judge the claim
            level = ledger_level(round_, last)
            return [Chase(handoff.id, ChaseKind.OUTCOME, level, last, now)]
        if last >= policy.outcome_chases:
            return []  # asked enough; the outcome stays unknown
        # At most once a business day: one workday's hours after the previous ask.
        due_at = clock.add_days(last_sent, 1)
    else:
        due_at = clock.next_open(handoff.meeting_time + timedelta(hours=policy.outcome_grace_hours))
    if now < due_at:
        return []
    nth = last + 1
    return [Chase(handoff.id, ChaseKind.OUTCOME, ledger_level(round_, nth), nth, due_at)]


def seconds_between(start: datetime, end: datetime) -> int:
    """A measure for the digest: whole seconds, never negative."""
    return max(int((end - start).total_seconds()), 0)
