"""Which week a digest covers and whether it is due: the team's calendar, never UTC weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from handoff.policy import DigestPolicy

WEEK = timedelta(days=7)
TREND_PERIODS = 8


@dataclass(frozen=True)
class Period:
    """[start, end) as aware UTC instants; a week of the team's wall clock."""

    start: datetime
    end: datetime

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


def week_ending(end: datetime, zone: ZoneInfo, weeks: int = 1) -> Period:
    """The `weeks` weeks of the team's calendar ending at `end` (so DST never shifts a period)."""
    local = end.astimezone(zone)
    start = (local - weeks * WEEK).replace(tzinfo=None)
    return Period(_aware(start, zone), end.astimezone(UTC))


def trend(end: datetime, zone: ZoneInfo, count: int = TREND_PERIODS) -> list[Period]:
    """The `count` weekly periods ending at `end`, oldest first."""
    periods = []
    for _ in range(count):
        period = week_ending(end, zone)
        periods.append(period)
        end = period.start
    return list(reversed(periods))


def latest_due(now: datetime, zone: ZoneInfo, policy: DigestPolicy) -> datetime:
    """The most recent scheduled digest time at or before `now` (the end of its period)."""
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - policy.day) % 7)
    due = datetime.combine(day, policy.at)
    if _aware(due, zone) > now:
        due -= WEEK
    return _aware(due, zone)


def _aware(wall: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` as UTC. An ambiguous time (clocks going back) is its first
    occurrence; a time skipped by clocks going forward lands after the gap (fold=0 rules)."""
    return wall.replace(tzinfo=zone).astimezone(UTC)


def scheduled_period(now: datetime, zone: ZoneInfo, policy: DigestPolicy) -> Period:
    """The period that ended at the last scheduled digest time at or before `now`."""
    return week_ending(latest_due(now, zone, policy), zone)


class ClaimState(StrEnum):
    """Where a period stands in the digests ledger."""

    FREE = "free"  # never claimed, or released after a failure: may be sent
    SENDING = "sending"  # claimed within the lease: someone is sending it
    SENT = "sent"
    GIVEN_UP = "given_up"  # too many failed attempts


def due_period(
    now: datetime,
    zone: ZoneInfo,
    policy: DigestPolicy,
    *,
    first_submitted: datetime | None,
    claim: ClaimState,
) -> Period | None:
    """The period whose digest should go out now, or None.

    Only the latest scheduled period is ever due, so runs missed while the bot was down
    coalesce into one late digest; a period that ended before the first handoff is skipped.
    """
    if claim is not ClaimState.FREE:
        return None
    period = scheduled_period(now, zone, policy)
    if first_submitted is None or first_submitted >= period.end:
        return None
    return period
