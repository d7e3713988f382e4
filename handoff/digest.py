"""The weekly digest's rules: when it is due, which period it covers, what the figures mean.

Pure: storage/metrics.py counts in SQL (every figure is an aggregate there), this module
turns those counts into rates, changes and flags, and bot/digest.py renders and sends.

Definitions (the README repeats them for managers):

- The *cohort* of a period is the handoffs submitted in it, in the state they are in when
  the digest is built. Submitted = accepted + rejected + withdrawn + still pending.
  An overturned rejection has status "accepted" and counts as accepted.
- Acceptance rate = accepted / (accepted + rejected), a whole percentage rounded half up.
- Time to decision is `seconds_to_decision` of the cohort's accepted and rejected handoffs;
  the median of an even count is the mean of the two middle values, the 90th percentile is
  the nearest rank (the value at rank ⌈0.9·n⌉).
- Meeting outcomes are those of the accepted meetings whose (original) meeting time fell in
  the period. Opportunity rate = opportunities / meetings with a final outcome (held with an
  opportunity, held without a fit, no-show): an unlogged outcome is unknown, never "held".
- Calibration looks at the `calibration_weeks` ending with the period (outcomes take weeks to
  arrive): per rubric criterion met or not, per score band, per rubric version.
- AE and SDR flags look at the decisions made in the period (by `decided_at`). An AE's own
  decision excludes a manager's assignment; an overturned rejection was the AE's rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handoff.policy import DAYS

_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEK = timedelta(days=7)
TREND_PERIODS = 8
FINAL_OUTCOMES = ("held_opportunity", "held_no_fit", "no_show")


# -- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestPolicy:
    """The `[digest]` table."""

    day: int = 0  # Monday is 0
    at: time = time(9, 0)  # in [chasing].timezone
    dm_managers: bool = True
    top: int = 8  # rows per table; the rest are summed as "+K more"
    stale: int = 5  # oldest undecided briefs listed
    calibration_weeks: int = 13
    score_bands: tuple[int, ...] = (40, 70)  # edges: 0–39, 40–69, 70–100
    rubber_stamp_min_decisions: int = 8
    rubber_stamp_points: int = 25
    coaching_min_rejections: int = 5
    coaching_share: int = 60  # percent of one SDR's rejections with one reason

    @classmethod
    def parse(cls, table: object, source: str) -> DigestPolicy:
        if not isinstance(table, dict):
            raise _error(f"{source}: [digest] must be a table")
        default = cls()
        known = {
            "day",
            "time",
            "dm_managers",
            "top",
            "stale",
            "calibration_weeks",
            "score_bands",
            "rubber_stamp_min_decisions",
            "rubber_stamp_points",
            "coaching_min_rejections",
            "coaching_share",
        }
        unknown = sorted(set(table) - known)
        if unknown:
            raise _error(f"{source}: digest.{unknown[0]} is not a known setting")

        def whole(key: str, low: int, high: int) -> int:
            value = table.get(key, getattr(default, key))
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise _error(f"{source}: digest.{key} must be a whole number {low}–{high}")
            return value

        day = table.get("day", DAYS[default.day])
        if not isinstance(day, str) or day.lower()[:3] not in DAYS:
            raise _error(f"{source}: digest.day must be one of {', '.join(DAYS)}, got {day!r}")
        at = table.get("time", default.at.strftime("%H:%M"))
        if not isinstance(at, str) or not _CLOCK.match(at):
            raise _error(f'{source}: digest.time must be a 24-hour time like "09:00"')
        dm = table.get("dm_managers", default.dm_managers)
        if not isinstance(dm, bool):
            raise _error(f"{source}: digest.dm_managers must be true or false")
        bands = table.get("score_bands", list(default.score_bands))
        if (
            not isinstance(bands, list)
            or not 1 <= len(bands) <= 5
            or not all(isinstance(b, int) and not isinstance(b, bool) for b in bands)
            or not all(0 < b <= 100 for b in bands)
            or sorted(set(bands)) != bands
        ):
            raise _error(
                f"{source}: digest.score_bands must be 1–5 rising scores between 1 and 100, "
                "e.g. [40, 70] for the bands 0–39, 40–69 and 70–100"
            )
        return cls(
            day=DAYS.index(day.lower()[:3]),
            at=time.fromisoformat(at),
            dm_managers=dm,
            top=whole("top", 1, 15),
            stale=whole("stale", 0, 10),
            calibration_weeks=whole("calibration_weeks", 1, 104),
            score_bands=tuple(bands),
            rubber_stamp_min_decisions=whole("rubber_stamp_min_decisions", 1, 1000),
            rubber_stamp_points=whole("rubber_stamp_points", 1, 100),
            coaching_min_rejections=whole("coaching_min_rejections", 1, 1000),
            # Above half, so at most one reason can dominate an SDR's rejections.
            coaching_share=whole("coaching_share", 51, 100),
        )


DEFAULT_DIGEST = DigestPolicy()


def _error(message: str) -> Exception:
    from handoff.config import ConfigError

    return ConfigError(message)


# -- periods ----------------------------------------------------------------------------------


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


# -- arithmetic on aggregates -----------------------------------------------------------------


def pct(part: int, whole: int) -> int | None:
    """A whole percentage rounded half up; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def change(now: int | None, before: int | None) -> int | None:
    if now is None or before is None:
        return None
    return now - before


# -- the figures (raw aggregates from storage, rates derived here) ---------------------------


@dataclass(frozen=True)
class Funnel:
    """One period's cohort by status."""

    submitted: int = 0
    accepted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    pending: int = 0

    @property
    def acceptance_rate(self) -> int | None:
        return pct(self.accepted, self.accepted + self.rejected)


@dataclass(frozen=True)
class Group:
    """A row of a breakdown: one SDR, source, industry or region in the cohort."""

    key: str
    submitted: int
    accepted: int
    rejected: int
    median_seconds: float | None = None  # SDR rows only

    @property
    def acceptance_rate(self) -> int | None:
        return pct(self.accepted, self.accepted + self.rejected)


@dataclass(frozen=True)
class Timing:
    decided: int = 0
    median_seconds: float | None = None
    p90_seconds: int | None = None


@dataclass(frozen=True)
class SlaBreaches:
    """Cohort briefs that got a response-SLA reminder (the ledger's chase_reminder, sent)."""

    total: int = 0
    still_undecided: int = 0


@dataclass(frozen=True)
class Outcomes:
    """Accepted meetings whose meeting time fell in the period, by logged outcome."""

    meetings: int = 0
    held_opportunity: int = 0
    held_no_fit: int = 0
    no_show: int = 0
    rescheduled: int = 0
    unknown: int = 0

    @property
    def with_final_outcome(self) -> int:
        return self.held_opportunity + self.held_no_fit + self.no_show

    @property
    def opportunity_rate(self) -> int | None:
        return pct(self.held_opportunity, self.with_final_outcome)


@dataclass(frozen=True)
class StaleBrief:
    id: int
    company: str
    sdr_id: str
    submitted_at: datetime
    channel: str | None
    ts: str | None


@dataclass(frozen=True)
class Rates:
    """Acceptance and opportunity rates of a set of handoffs, with their sample sizes."""

    submitted: int = 0
    decided: int = 0  # accepted + rejected: the acceptance rate's sample
    accepted: int = 0
    with_outcome: int = 0  # accepted with a final outcome: the opportunity rate's sample
    opportunities: int = 0

    @property
    def acceptance_rate(self) -> int | None:
        return pct(self.accepted, self.decided)

    @property
    def opportunity_rate(self) -> int | None:
        return pct(self.opportunities, self.with_outcome)


@dataclass(frozen=True)
class CriterionCalibration:
    criterion: str
    met: Rates
    not_met: Rates


@dataclass(frozen=True)
class Band:
    low: int
    high: int  # inclusive
    rates: Rates

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Calibration:
    window: Period
    weeks: int
    criteria: tuple[CriterionCalibration, ...] = ()
    bands: tuple[Band, ...] = ()
    versions: tuple[tuple[str, Rates], ...] = ()  # shown when more than one


@dataclass(frozen=True)
class Disputes:
    opened: int = 0  # disputed in the period
    upheld: int = 0  # resolved in the period
    overturned: int = 0
    open_at_end: int = 0


@dataclass(frozen=True)
class AeDecisions:
    ae_id: str
    decisions: int
    accepted: int

    @property
    def acceptance_rate(self) -> int | None:
        return pct(self.accepted, self.decisions)


@dataclass(frozen=True)
class RubberStamp:
    ae_id: str
    decisions: int
    accepted: int
    rate: int
    team_rate: int


@dataclass(frozen=True)
class SdrRejections:
    sdr_id: str
    rejections: int  # decided in the period
    reason: str  # the most frequent reason
    count: int


@dataclass(frozen=True)
class Headline:
    """This period's numbers and the stale list: what the digest leads with and Home shows."""

    period: Period
    funnel: Funnel
    previous: Funnel
    timing: Timing
    stale: tuple[StaleBrief, ...]
    undecided: int  # all undecided briefs submitted before the period's end

    @property
    def changes(self) -> dict[str, int | None]:
        now, before = self.funnel, self.previous
        return {
            "submitted": now.submitted - before.submitted,
            "accepted": now.accepted - before.accepted,
            "rejected": now.rejected - before.rejected,
            "withdrawn": now.withdrawn - before.withdrawn,
            "pending": now.pending - before.pending,
            "acceptance_rate": change(now.acceptance_rate, before.acceptance_rate),
        }


@dataclass(frozen=True)
class Digest:
    headline: Headline
    sdrs: tuple[Group, ...]
    sources: tuple[Group, ...]
    industries: tuple[Group, ...]
    regions: tuple[Group, ...]
    reasons: tuple[tuple[str, int], ...]
    sla: SlaBreaches
    outcomes: Outcomes
    calibration: Calibration
    disputes: Disputes
    ae_decisions: tuple[AeDecisions, ...]
    rubber_stamps: tuple[RubberStamp, ...]
    coaching: tuple[SdrRejections, ...]
    trend: tuple[tuple[Period, Funnel], ...] = field(default=())

    @property
    def period(self) -> Period:
        return self.headline.period


# -- flags ------------------------------------------------------------------------------------


def team_rate(rows: Iterable[AeDecisions]) -> int | None:
    rows = list(rows)
    return pct(sum(r.accepted for r in rows), sum(r.decisions for r in rows))


def rubber_stamps(rows: Sequence[AeDecisions], policy: DigestPolicy) -> tuple[RubberStamp, ...]:
    """AEs who accept everything on a meaningful sample, or far more than the team does."""
    team = team_rate(rows)
    if team is None:
        return ()
    flagged = []
    for row in rows:
        rate = row.acceptance_rate
        if rate is None or row.decisions < policy.rubber_stamp_min_decisions:
            continue
        if rate == 100 or rate - team >= policy.rubber_stamp_points:
            flagged.append(RubberStamp(row.ae_id, row.decisions, row.accepted, rate, team))
    return tuple(sorted(flagged, key=lambda f: (-f.rate, -f.decisions, f.ae_id)))


def coaching_signals(
    rows: Sequence[SdrRejections], policy: DigestPolicy
) -> tuple[SdrRejections, ...]:
    """SDRs whose rejections mostly share one reason."""
    flagged = [
        r
        for r in rows
        if r.rejections >= policy.coaching_min_rejections
        and 100 * r.count >= policy.coaching_share * r.rejections
    ]
    return tuple(sorted(flagged, key=lambda r: (-r.count, r.sdr_id)))


def band_edges(policy: DigestPolicy) -> list[tuple[int, int]]:
    """[(low, high inclusive)] covering 0–100."""
    lows = [0, *policy.score_bands]
    highs = [b - 1 for b in policy.score_bands] + [100]
    return list(zip(lows, highs, strict=True))
