"""When each chase is due: business hours, weekends, holidays, once, and outcomes never assumed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handoff.businesstime import BusinessClock
from handoff.chasing import ChaseKind, chaseable, due_chases, ledger_level, next_chase_at
from handoff.model import Handoff, MeetingOutcome, Status
from handoff.policy import Policy
from tests.support.qualifications import qualification

NY = ZoneInfo("America/New_York")
CLOCK = BusinessClock(Policy())


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


SUBMITTED = ny(2026, 12, 24, 16, 30)  # Thursday before Christmas
MEETING = ny(2026, 12, 29, 15, 0)  # the Tuesday after


def pending() -> Handoff:
    return Handoff(
        id=7,
        team_id="T1",
        sdr_id="USDR",
        status=Status.PENDING,
        qualification=qualification(meeting_at=MEETING),
        rubric_version="1",
        submitted_at=SUBMITTED,
        brief_channel="CAE",
        brief_ts="1.2",
        posted_at=SUBMITTED,
    )


def accepted(**changes) -> Handoff:
    base = replace(pending(), status=Status.ACCEPTED, decided_by="UAE", decided_at=SUBMITTED)
    return replace(base, **changes)


def kinds(handoff, now, sent=None, managers=True):
    found = due_chases(handoff, sent=sent or {}, clock=CLOCK, now=now, managers=managers)
    return [(c.kind, c.level) for c in found]


def first_instant(handoff, kind, start, sent=None, step=timedelta(minutes=15)):
    """Walk time forward and return the first instant `kind` is due."""
    now = start
    while now < start + timedelta(days=30):
        if any(k == kind for k, _ in kinds(handoff, now, sent)):
            return now
        now += step
    return None


def test_reminder_waits_two_business_hours_across_christmas_and_the_weekend():
    reminder = (ChaseKind.REMINDER, 1)
    assert kinds(pending(), ny(2026, 12, 28, 10, 15)) == []
    assert reminder in kinds(pending(), ny(2026, 12, 28, 10, 30))
    assert first_instant(pending(), ChaseKind.REMINDER, SUBMITTED) == ny(2026, 12, 28, 10, 30)


def test_reminder_is_due_once():
    now = ny(2026, 12, 28, 11, 0)
    sent = {(ChaseKind.REMINDER.value, 1): now}
    assert (ChaseKind.REMINDER, 1) not in kinds(pending(), now + timedelta(hours=1), sent)


def test_an_armed_reminder_is_not_armed_again():
    now = ny(2026, 12, 28, 11, 0)
    assert kinds(pending(), now, {(ChaseKind.REMINDER.value, 1): None}) == []


def test_when_to_look_again():
    clock_args = {"clock": CLOCK, "managers": True}
    assert next_chase_at(pending(), sent={}, **clock_args) == ny(2026, 12, 28, 10, 30)
    reminded = {(ChaseKind.REMINDER.value, 1): ny(2026, 12, 28, 10, 30)}
    assert next_chase_at(pending(), sent=reminded, **clock_args) == ny(2026, 12, 28, 16, 30)
    both = {**reminded, (ChaseKind.ESCALATION.value, 1): ny(2026, 12, 28, 16, 30)}
    assert next_chase_at(pending(), sent=both, **clock_args) is None  # nothing left to send
    assert next_chase_at(accepted(), sent={}, **clock_args) == ny(2026, 12, 30, 9, 0)
    # An outcome DM armed but not sent: the next one is timed from its send.
    armed = {(ChaseKind.OUTCOME.value, 1): None}
    assert next_chase_at(accepted(), sent=armed, **clock_args) is None
    days = (ny(2026, 12, 30, 9, 0), ny(2026, 12, 31, 9, 0), ny(2027, 1, 4, 9, 0))
    asked = {(ChaseKind.OUTCOME.value, n): at for n, at in enumerate(days, start=1)}
    assert next_chase_at(accepted(), sent=asked, **clock_args) is None  # asked enough
    assert not chaseable(accepted(outcome=MeetingOutcome.NO_SHOW.value))
    assert chaseable(accepted()) and chaseable(pending())


def test_escalation_after_one_business_day_only_with_managers():
    start = ny(2026, 12, 28, 10, 30)
    sent = {(ChaseKind.REMINDER.value, 1): start}
    assert first_instant(pending(), ChaseKind.ESCALATION, start, sent) == ny(2026, 12, 28, 16, 30)
    later = ny(2026, 12, 28, 16, 30)
    assert kinds(pending(), later, sent, managers=False) == []


def test_nothing_is_sent_in_quiet_hours_or_on_a_day_off():
    assert kinds(pending(), ny(2026, 12, 28, 20, 0)) == []
    assert kinds(pending(), ny(2027, 1, 1, 12, 0)) == []


def test_an_unposted_or_decided_brief_is_not_chased():
    now = ny(2026, 12, 29, 12, 0)
    assert kinds(replace(pending(), brief_ts=None, status=Status.SUBMITTED), now) == []
    assert kinds(replace(pending(), status=Status.REJECTED), now) == []


def test_outcome_chase_after_meeting_and_grace_then_once_a_business_day_up_to_the_limit():
    handoff = accepted()
    level = ledger_level(0, 1)
    # Tuesday 15:00 + 2h grace = 17:00, closing time: Wednesday 09:00.
    first = first_instant(handoff, ChaseKind.OUTCOME, MEETING)
    assert first == ny(2026, 12, 30, 9, 0)
    assert kinds(handoff, first) == [(ChaseKind.OUTCOME, level)]
    sent = {(ChaseKind.OUTCOME.value, level): first}
    second = first_instant(handoff, ChaseKind.OUTCOME, first, sent)
    assert second == ny(2026, 12, 31, 9, 0)
    sent[(ChaseKind.OUTCOME.value, ledger_level(0, 2))] = second
    # New Year's Day, then the weekend.
    third = first_instant(handoff, ChaseKind.OUTCOME, second, sent)
    assert third == ny(2027, 1, 4, 9, 0)
    sent[(ChaseKind.OUTCOME.value, ledger_level(0, 3))] = third
    assert first_instant(handoff, ChaseKind.OUTCOME, third, sent) is None  # three is the limit


def test_outcome_unknown_is_chased_and_a_final_outcome_is_not():
    now = ny(2026, 12, 30, 10, 0)
    assert kinds(accepted(), now) == [(ChaseKind.OUTCOME, 1)]
    for outcome in (MeetingOutcome.HELD_OPPORTUNITY, MeetingOutcome.NO_SHOW):
        assert kinds(accepted(outcome=outcome.value), now) == []


def test_a_reschedule_starts_a_new_round_for_the_new_date():
    new_date = ny(2027, 1, 6, 11, 0)
    handoff = accepted(
        outcome=MeetingOutcome.RESCHEDULED.value, rescheduled_to=new_date, chase_round=1
    )
    sent = {(ChaseKind.OUTCOME.value, 1): ny(2026, 12, 30, 9, 0)}
    assert kinds(handoff, ny(2027, 1, 6, 12, 45), sent) == []
    assert kinds(handoff, ny(2027, 1, 6, 13, 0), sent) == [(ChaseKind.OUTCOME, 101)]


def test_the_owner_is_whoever_a_manager_assigned():
    handoff = accepted(reassigned_ae_id="UBOB")
    assert handoff.ae_id == "UBOB"
    assert pending().ae_id is None
