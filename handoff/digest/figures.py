"""The digest's figures: raw aggregates from storage, and the rates and changes derived here.

Definitions (docs/digest.md repeats them for managers):

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

from dataclasses import dataclass, field
from datetime import datetime

from handoff.digest.booked import BookedMeetings
from handoff.digest.periods import Period

FINAL_OUTCOMES = ("held_opportunity", "held_no_fit", "no_show")


def pct(part: int, whole: int) -> int | None:
    """A whole percentage rounded half up; None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def change(now: int | None, before: int | None) -> int | None:
    if now is None or before is None:
        return None
    return now - before


@dataclass(frozen=True)
class Funnel:
    """One period's cohort by status."""

    submitted: int = 0
    accepted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    pending: int = 0
    canceled: int = 0  # the meeting was canceled in its booking tool

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
    cleared: Rates = Rates()  # scored handoffs that cleared the bar when judged
    not_cleared: Rates = Rates()


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
            "canceled": now.canceled - before.canceled,
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
    booked: BookedMeetings = field(default_factory=BookedMeetings)

    @property
    def period(self) -> Period:
        return self.headline.period
