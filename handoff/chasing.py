"""Which chases are due for a handoff, and when to look again. Pure: the outbox sends them.

Every chase has an outbox key (kind, level). The level encodes the round and the
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


# (kind, level) -> when it was sent; None while armed in the outbox and not sent yet.
Sent = Mapping[tuple[str, int], datetime | None]


def planned_chases(
    handoff: Handoff, *, sent: Sent, clock: BusinessClock, managers: bool
) -> list[Chase]:
    """The chases still to come for this handoff, each with the instant it falls due.

    One already armed is not planned again (the outbox sends it once). The outcome chase
    after one that is armed but not sent yet cannot be timed: it counts from when that one
    goes out, and sending it makes the sweep look at the handoff again.
    """
    policy = clock.policy
    planned: list[Chase] = []
    if handoff.status == Status.PENDING and handoff.brief_ts:
        start = handoff.submitted_at
        reminder = clock.add_hours(start, policy.response_sla_hours)
        planned += _once(handoff, ChaseKind.REMINDER, reminder, sent)
        if managers:
            escalation = clock.add_days(start, policy.escalation_sla_days)
            planned += _once(handoff, ChaseKind.ESCALATION, escalation, sent)
    if _outcome_missing(handoff):
        planned += _outcome_chase(handoff, sent, clock)
    return planned


def due_chases(
    handoff: Handoff, *, sent: Sent, clock: BusinessClock, now: datetime, managers: bool
) -> list[Chase]:
    """The chases to arm now: none in quiet hours."""
    if clock.is_quiet(now):
        return []
    planned = planned_chases(handoff, sent=sent, clock=clock, managers=managers)
    return [c for c in planned if c.due_at <= now]


def next_chase_at(
    handoff: Handoff, *, sent: Sent, clock: BusinessClock, managers: bool
) -> datetime | None:
    """When the sweep must look at this handoff again; None when no chase is left to time."""
    planned = planned_chases(handoff, sent=sent, clock=clock, managers=managers)
    return min((c.due_at for c in planned), default=None)


def chaseable(handoff: Handoff) -> bool:
    """Whether any chase may still be due: an undecided, posted brief or an accepted
    meeting whose outcome is not known."""
    return (handoff.status == Status.PENDING and bool(handoff.brief_ts)) or _outcome_missing(
        handoff
    )


def _outcome_missing(handoff: Handoff) -> bool:
    return (
        handoff.status == Status.ACCEPTED
        and handoff.ae_id is not None
        and handoff.outcome in (None, MeetingOutcome.RESCHEDULED)
    )


def _once(handoff: Handoff, kind: ChaseKind, due_at: datetime, sent: Sent) -> list[Chase]:
    key = (kind.value, ledger_level(0, 1))
    if key in sent:
        return []
    return [Chase(handoff.id, kind, key[1], 1, due_at)]


def _outcome_chase(handoff: Handoff, sent: Sent, clock: BusinessClock) -> list[Chase]:
    policy = clock.policy
    round_ = handoff.chase_round
    last = 0
    for nth in range(1, policy.outcome_chases + 1):
        if (ChaseKind.OUTCOME.value, ledger_level(round_, nth)) in sent:
            last = nth
    if last:
        last_sent = sent[(ChaseKind.OUTCOME.value, ledger_level(round_, last))]
        if last_sent is None or last >= policy.outcome_chases:
            return []  # not sent yet (timed from its send), or asked enough: stays unknown
        # At most once a business day: one workday's hours after the previous ask.
        due_at = clock.add_days(last_sent, 1)
    else:
        due_at = clock.next_open(handoff.meeting_time + timedelta(hours=policy.outcome_grace_hours))
    nth = last + 1
    return [Chase(handoff.id, ChaseKind.OUTCOME, ledger_level(round_, nth), nth, due_at)]


def seconds_between(start: datetime, end: datetime) -> int:
    """A measure for the digest: whole seconds, never negative."""
    return max(int((end - start).total_seconds()), 0)
