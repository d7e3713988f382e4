"""A digest from the raw aggregates storage counted: the flags applied, nothing else computed."""

from __future__ import annotations

from dataclasses import dataclass, field

from handoff.digest.booked import BookedMeetings
from handoff.digest.figures import (
    AeDecisions,
    Calibration,
    Digest,
    Disputes,
    Funnel,
    Group,
    Headline,
    Outcomes,
    SdrRejections,
    SlaBreaches,
)
from handoff.digest.flags import coaching_signals, rubber_stamps
from handoff.digest.periods import Period
from handoff.policy import DigestPolicy


@dataclass(frozen=True)
class Figures:
    """Every aggregate of one period, as storage/metrics.py counts it in SQL."""

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
    sdr_rejections: tuple[SdrRejections, ...]
    trend: tuple[tuple[Period, Funnel], ...]
    booked: BookedMeetings = field(default_factory=BookedMeetings)


def assemble(figures: Figures, policy: DigestPolicy) -> Digest:
    return Digest(
        headline=figures.headline,
        sdrs=figures.sdrs,
        sources=figures.sources,
        industries=figures.industries,
        regions=figures.regions,
        reasons=figures.reasons,
        sla=figures.sla,
        outcomes=figures.outcomes,
        calibration=figures.calibration,
        disputes=figures.disputes,
        ae_decisions=figures.ae_decisions,
        rubber_stamps=rubber_stamps(figures.ae_decisions, policy),
        coaching=coaching_signals(figures.sdr_rejections, policy),
        trend=figures.trend,
        booked=figures.booked,
    )
