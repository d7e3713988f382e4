"""Business time across weekends, public holidays, daylight saving and quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handoff.businesstime import BusinessClock
from handoff.policy import Policy

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY).astimezone(UTC)


@pytest.fixture
def clock() -> BusinessClock:
    return BusinessClock(Policy())


def test_hours_inside_one_workday(clock):
    assert clock.add_hours(ny(2026, 12, 22, 10, 0), 2) == ny(2026, 12, 22, 12, 0)


def test_christmas_and_the_weekend_are_skipped(clock):
    # Thursday 16:30: half an hour left that day, Friday is Christmas, then the weekend.
    submitted = ny(2026, 12, 24, 16, 30)
    assert clock.holiday(datetime(2026, 12, 25).date()) == "Christmas Day"
    assert clock.add_hours(submitted, 2) == ny(2026, 12, 28, 10, 30)
    assert clock.add_days(submitted, 1) == ny(2026, 12, 28, 16, 30)


def test_time_outside_business_hours_starts_at_the_next_opening(clock):
    assert clock.next_open(ny(2026, 12, 22, 7, 0)) == ny(2026, 12, 22, 9, 0)
    assert clock.next_open(ny(2026, 12, 22, 17, 0)) == ny(2026, 12, 23, 9, 0)
    assert clock.next_open(ny(2026, 12, 31, 18, 0)) == ny(2027, 1, 4, 9, 0)  # New Year, weekend
    assert clock.add_hours(ny(2026, 12, 26, 12, 0), 1) == ny(2026, 12, 28, 10, 0)


def test_daylight_saving_change_keeps_the_local_workday():
    clock = BusinessClock(Policy())
    # US clocks go forward on Sunday 8 March 2026; Friday 16:00 + 2h is Monday 10:00 local.
    assert clock.add_hours(ny(2026, 3, 6, 16, 0), 2) == ny(2026, 3, 9, 10, 0)
    assert clock.add_hours(ny(2026, 3, 6, 16, 0), 2) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_another_country_and_working_week():
    policy = Policy(
        timezone="Asia/Dubai",
        working_days=(0, 1, 2, 3, 4),
        holiday_country="AE",
        workday_start=time(8, 0),
        workday_end=time(16, 0),
    )
    clock = BusinessClock(policy)
    dubai = ZoneInfo("Asia/Dubai")
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=dubai)
    assert clock.add_hours(friday, 2) == datetime(2026, 11, 30, 9, 0, tzinfo=dubai)


def test_no_holidays_when_no_country():
    clock = BusinessClock(Policy(holiday_country=None))
    assert clock.add_hours(ny(2026, 12, 24, 16, 30), 2) == ny(2026, 12, 25, 10, 30)


def test_quiet_hours_and_days_off(clock):
    assert clock.is_quiet(ny(2026, 12, 22, 19, 30))
    assert clock.is_quiet(ny(2026, 12, 22, 7, 59))
    assert not clock.is_quiet(ny(2026, 12, 22, 8, 0))
    assert clock.is_quiet(ny(2026, 12, 26, 12, 0))  # Saturday
    assert clock.is_quiet(ny(2026, 12, 25, 12, 0))  # Christmas
    daytime = BusinessClock(Policy(quiet_start=time(12, 0), quiet_end=time(13, 0)))
    assert daytime.is_quiet(ny(2026, 12, 22, 12, 30))
    assert not daytime.is_quiet(ny(2026, 12, 22, 20, 0))
    assert not BusinessClock(Policy(quiet_start=None, quiet_end=None)).is_quiet(
        ny(2026, 12, 22, 23, 0)
    )
