"""Business time: SLAs that count only working hours, skipping weekends and public holidays.

All arithmetic is done in UTC on the edges of each local workday, so a daylight
saving change never stretches or shrinks an SLA.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from handoff.policy import Policy

_MAX_DAYS = 3 * 366  # a policy always has working days; this only stops a runaway loop


class BusinessClock:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.zone = policy.zone
        self._holidays: holidays.HolidayBase | None = None
        self._lock = threading.Lock()  # a year's holidays are worked out on first use
        if policy.holiday_country:
            self._holidays = holidays.country_holidays(
                policy.holiday_country, subdiv=policy.holiday_subdivision
            )

    @property
    def hours_per_day(self) -> float:
        start, end = self.policy.workday_start, self.policy.workday_end
        return (_minutes(end) - _minutes(start)) / 60

    def holiday(self, day: date) -> str | None:
        """The holiday's name when `day` is a public holiday, else None."""
        if self._holidays is None:
            return None
        with self._lock:
            return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.policy.working_days and self.holiday(day) is None

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The workday of `day` as aware UTC instants."""
        start = datetime.combine(day, self.policy.workday_start, tzinfo=self.zone)
        end = datetime.combine(day, self.policy.workday_end, tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def next_open(self, at: datetime) -> datetime:
        """The first business instant at or after `at`."""
        day = self.local(at).date()
        for _ in range(_MAX_DAYS):
            if self.is_working_day(day):
                start, end = self.window(day)
                if at < end:
                    return max(at, start)
            day += timedelta(days=1)
        raise ValueError("no business hours within three years; check [chasing]")

    def add_hours(self, at: datetime, hours: float) -> datetime:
        """`at` plus this many business hours (the clock starts at the next business instant)."""
        remaining = timedelta(hours=hours)
        current = self.next_open(at)
        for _ in range(_MAX_DAYS):
            _, end = self.window(self.local(current).date())
            # Landing exactly on closing time means the next opening: the same business
            # instant, and a day's chase then falls on the next day, not at 17:00 today.
            if current + remaining < end:
                return current + remaining
            remaining -= end - current
            current = self.next_open(end)
        raise ValueError("no business hours within three years; check [chasing]")

    def add_days(self, at: datetime, days: float) -> datetime:
        """`at` plus business days, a day being one workday's hours."""
        return self.add_hours(at, days * self.hours_per_day)

    def is_quiet(self, at: datetime) -> bool:
        """True when no chase should reach anyone: quiet hours or a day off."""
        local = self.local(at)
        if not self.is_working_day(local.date()):
            return True
        start, end = self.policy.quiet_start, self.policy.quiet_end
        if start is None or end is None:
            return False
        now = local.time()
        if start < end:
            return start <= now < end
        return now >= start or now < end


@lru_cache(maxsize=16)
def clock_for(policy: Policy) -> BusinessClock:
    """One clock per policy, shared: the holiday calendar is worked out once per year, not
    once per message a sweep sends."""
    return BusinessClock(policy)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute
