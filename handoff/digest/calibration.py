"""Which criteria predict acceptance and opportunities, with honest uncertainty.

Each comparison (criterion met vs not met, a score band vs the band below, a rubric version
vs the one before) is a difference of two rates with Newcombe's 95% interval. A difference
counts as a finding only when both samples reach `min_sample` and the interval excludes
zero; everything else is "not enough data yet", listed after the findings, never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from handoff.digest.figures import Band, Calibration, Rates
from handoff.digest.intervals import Interval, newcombe, wilson
from handoff.digest.periods import Period


class Verdict(StrEnum):
    PREDICTS = "predicts"  # both samples big enough, the interval excludes zero
    UNCLEAR = "unclear"  # big enough samples, the interval spans zero
    TOO_FEW = "too_few"  # a side has fewer than the minimum sample


@dataclass(frozen=True)
class Split:
    """One rate in two groups: hits/n against other_hits/other_n."""

    hits: int
    n: int
    other_hits: int
    other_n: int
    difference: Interval | None  # None when a side is empty
    verdict: Verdict

    @property
    def points(self) -> float | None:
        """The difference in percentage points."""
        return None if self.difference is None else 100 * self.difference.estimate

    @property
    def predicts(self) -> bool:
        return self.verdict is Verdict.PREDICTS


def split(hits: int, n: int, other_hits: int, other_n: int, min_sample: int) -> Split:
    difference = newcombe(hits, n, other_hits, other_n)
    if min(n, other_n) < max(min_sample, 1) or difference is None:
        verdict = Verdict.TOO_FEW
    elif difference.spans_zero:
        verdict = Verdict.UNCLEAR
    else:
        verdict = Verdict.PREDICTS
    return Split(hits, n, other_hits, other_n, difference, verdict)


def acceptance(a: Rates, b: Rates, min_sample: int) -> Split:
    return split(a.accepted, a.decided, b.accepted, b.decided, min_sample)


def opportunity(a: Rates, b: Rates, min_sample: int) -> Split:
    return split(a.opportunities, a.with_outcome, b.opportunities, b.with_outcome, min_sample)


@dataclass(frozen=True)
class CriterionRank:
    criterion: str
    met: Rates
    not_met: Rates
    acceptance: Split
    opportunity: Split

    @property
    def predictive(self) -> bool:
        return self.acceptance.predicts or self.opportunity.predicts

    @property
    def too_few(self) -> bool:
        return Verdict.TOO_FEW in (self.acceptance.verdict, self.opportunity.verdict)


@dataclass(frozen=True)
class Step:
    """A score band or rubric version: its rates, and the change from the one before."""

    label: str
    rates: Rates
    acceptance_rate: Interval | None
    opportunity_rate: Interval | None
    acceptance_change: Split | None  # None for the first
    opportunity_change: Split | None


@dataclass(frozen=True)
class Ranking:
    window: Period
    weeks: int
    min_sample: int
    criteria: tuple[CriterionRank, ...]  # findings first, strongest first
    bands: tuple[Step, ...]  # lowest score first
    band_spread: Split | None  # acceptance, highest band with decisions vs lowest
    versions: tuple[Step, ...]  # oldest first
    cleared: Split  # acceptance, cleared the bar vs did not

    @property
    def findings(self) -> tuple[CriterionRank, ...]:
        return tuple(c for c in self.criteria if c.predictive)

    @property
    def undecided(self) -> tuple[CriterionRank, ...]:
        return tuple(c for c in self.criteria if not c.predictive)


def _magnitude(s: Split) -> float:
    return abs(s.points or 0.0)


def strength(c: CriterionRank) -> tuple[int, float, float, str]:
    """Sort key: acceptance findings first, then opportunity-only findings, then the rest;
    within each, the bigger difference first (acceptance, then opportunities)."""
    group = 0 if c.acceptance.predicts else 1 if c.opportunity.predicts else 2
    first, second = (c.opportunity, c.acceptance) if group == 1 else (c.acceptance, c.opportunity)
    return group, -_magnitude(first), -_magnitude(second), c.criterion


def rank(calibration: Calibration, min_sample: int) -> Ranking:
    criteria = sorted(
        (
            CriterionRank(
                c.criterion,
                c.met,
                c.not_met,
                acceptance(c.met, c.not_met, min_sample),
                opportunity(c.met, c.not_met, min_sample),
            )
            for c in calibration.criteria
        ),
        key=strength,
    )
    bands = steps([(b.label, b.rates) for b in calibration.bands], min_sample)
    return Ranking(
        window=calibration.window,
        weeks=calibration.weeks,
        min_sample=min_sample,
        criteria=tuple(criteria),
        bands=bands,
        band_spread=_spread(calibration.bands, min_sample),
        versions=steps(calibration.versions, min_sample),
        cleared=acceptance(calibration.cleared, calibration.not_cleared, min_sample),
    )


def steps(rows: Sequence[tuple[str, Rates]], min_sample: int) -> tuple[Step, ...]:
    out = []
    previous: Rates | None = None
    for label, rates in rows:
        out.append(
            Step(
                label,
                rates,
                wilson(rates.accepted, rates.decided),
                wilson(rates.opportunities, rates.with_outcome),
                None if previous is None else acceptance(rates, previous, min_sample),
                None if previous is None else opportunity(rates, previous, min_sample),
            )
        )
        previous = rates
    return tuple(out)


def _spread(bands: Sequence[Band], min_sample: int) -> Split | None:
    """Does a higher score mean more acceptance? The top band with decisions vs the bottom."""
    decided = [b for b in bands if b.rates.decided]
    if len(decided) < 2:
        return None
    return acceptance(decided[-1].rates, decided[0].rates, min_sample)
