"""The weekly digest's rules: when it is due, which period it covers, what the figures mean.

Pure: storage/metrics.py counts in SQL (every figure is an aggregate there), this package
turns those counts into rates, changes and flags, and bot/ renders and sends.
"""

from handoff.digest.advice import Hint, Suggestion, suggest
from handoff.digest.assemble import Figures, assemble
from handoff.digest.calibration import CriterionRank, Ranking, Split, Step, Verdict, rank
from handoff.digest.figures import (
    FINAL_OUTCOMES,
    AeDecisions,
    Band,
    Calibration,
    CriterionCalibration,
    Digest,
    Disputes,
    Funnel,
    Group,
    Headline,
    Outcomes,
    Rates,
    RubberStamp,
    SdrRejections,
    SlaBreaches,
    StaleBrief,
    Timing,
    change,
    pct,
)
from handoff.digest.flags import band_edges, coaching_signals, rubber_stamps, team_rate
from handoff.digest.periods import (
    TREND_PERIODS,
    WEEK,
    ClaimState,
    Period,
    due_period,
    latest_due,
    scheduled_period,
    trend,
    week_ending,
)

__all__ = [
    "FINAL_OUTCOMES",
    "TREND_PERIODS",
    "WEEK",
    "AeDecisions",
    "Band",
    "Calibration",
    "ClaimState",
    "CriterionCalibration",
    "CriterionRank",
    "Digest",
    "Disputes",
    "Figures",
    "Funnel",
    "Group",
    "Headline",
    "Hint",
    "Outcomes",
    "Period",
    "Ranking",
    "Rates",
    "RubberStamp",
    "SdrRejections",
    "SlaBreaches",
    "Split",
    "StaleBrief",
    "Step",
    "Suggestion",
    "Timing",
    "Verdict",
    "assemble",
    "band_edges",
    "change",
    "coaching_signals",
    "due_period",
    "latest_due",
    "pct",
    "rank",
    "rubber_stamps",
    "scheduled_period",
    "suggest",
    "team_rate",
    "trend",
    "week_ending",
]
