"""The ranked calibration in words: one line per criterion, band or version.

Shared by the digest, the managers' Home and `handoff calibrate`. Every function takes the
label already made safe for where it goes (mrkdwn-escaped for Slack, as typed for a
terminal) and adds only digits, signs and plain words.
"""

from __future__ import annotations

from handoff.digest import CriterionRank, Ranking, Split, Step, Verdict
from handoff.digest.advice import difference_text, signed
from handoff.digest.intervals import Interval


def share(hits: int, n: int) -> str:
    """ "81% of 256", or "– of 0"."""
    if not n:
        return "– of 0"
    return f"{100 * hits / n:.0f}% of {n}"


def comparison(s: Split) -> str:
    """ "81% of 256 vs 44% of 250: +37 pts, 95% CI +29 to +45"."""
    return f"{share(s.hits, s.n)} vs {share(s.other_hits, s.other_n)}: {difference_text(s)}"


def criterion_line(c: CriterionRank, label: str, *, bold: str = "*") -> str:
    """A finding: met vs not met, acceptance first, with the samples and intervals."""
    accept = f"accepted {comparison(c.acceptance)}"
    opp = f"opportunities {comparison(c.opportunity)}"
    return f"{bold}{label}{bold}: {accept} · {opp}"


def unclear_item(c: CriterionRank, label: str, min_sample: int) -> str:
    """A criterion without a verdict: its acceptance difference and why it has none."""
    a = c.acceptance
    if a.verdict is Verdict.TOO_FEW:
        return f"{label} ({a.n} vs {a.other_n} decided; {min_sample} needed on each side)"
    return f"{label} ({difference_text(a)}; {a.n} vs {a.other_n} decided)"


def interval_text(rate: Interval | None) -> str:
    if rate is None:
        return "–"
    return f"{100 * rate.estimate:.0f}% ({100 * rate.low:.0f}–{100 * rate.high:.0f})"


def step_line(step: Step, name: str) -> str:
    """`name` is the band or version as it should show (already safe)."""
    r = step.rates
    line = (
        f"{name}: accepted {interval_text(step.acceptance_rate)} of {r.decided} · "
        f"opportunities {interval_text(step.opportunity_rate)} of {r.with_outcome}"
    )
    change = step.acceptance_change
    if change is not None and change.difference is not None:
        verdict = "" if change.predicts else ", not enough data yet"
        line += f" · vs the one before {points_cell(change)} pts{verdict}"
    return line


def spread_line(ranking: Ranking) -> str:
    """Does a higher score mean more acceptance? In one sentence."""
    s = ranking.band_spread
    if s is None or s.difference is None:
        return "Does a higher score mean more acceptance? Not enough decided handoffs yet."
    if not s.predicts:
        answer = "not enough data yet"
    elif s.difference.estimate > 0:
        answer = "yes"
    else:
        answer = "no, the reverse"
    return (
        f"Does a higher score mean more acceptance? {answer.capitalize()}: the top band vs the "
        f"bottom, {comparison(s)}."
    )


def points_cell(s: Split) -> str:
    """ "+37 (+29 to +45)" for a table cell."""
    if s.difference is None:
        return "–"
    d = s.difference
    return f"{signed(100 * d.estimate)} ({signed(100 * d.low)} to {signed(100 * d.high)})"
