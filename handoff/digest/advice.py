"""What the calibration suggests about the rubric, in plain words. Never applied: a manager
reads it and decides whether to edit the rubric (and can try the edit with `handoff rubric
try` first).

Only findings with enough data speak: a gate is called useless only when both sides have
`min_sample` decisions and the interval spans zero, a light criterion strong only when its
interval's lower end is at least STRONG_POINTS above zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handoff.digest.calibration import CriterionRank, Ranking, Split, Verdict
from handoff.digest.intervals import wilson
from handoff.rubric import NEVER_GATES, Rubric

STRONG_POINTS = 10  # the lower end of the 95% interval, in points
MOSTLY = 0.5  # "AEs mostly reject": even the interval's top is under half accepted


class Hint(StrEnum):
    GATE_NOT_PREDICTIVE = "gate_not_predictive"
    GATE_BACKWARDS = "gate_backwards"
    LIGHT_BUT_STRONG = "light_but_strong"
    BAR_TOO_LOW = "bar_too_low"


@dataclass(frozen=True)
class Suggestion:
    hint: Hint
    criterion: str | None
    text: str  # plain text: labels are the team's, so a surface escapes it


def suggest(ranking: Ranking, rubric: Rubric) -> tuple[Suggestion, ...]:
    out: list[Suggestion] = []
    average = rubric.total_weight / max(sum(1 for w in rubric.weights.values() if w), 1)
    for c in ranking.criteria:
        if c.criterion not in rubric.weights:
            continue  # judged by an older rubric only
        label = rubric.labels[c.criterion]
        weight = rubric.weights[c.criterion]
        a = c.acceptance
        if c.criterion in rubric.must_meet and a.verdict is Verdict.UNCLEAR:
            out.append(
                Suggestion(
                    Hint.GATE_NOT_PREDICTIVE,
                    c.criterion,
                    f"{label} is a must-meet gate, but meetings that met it were accepted about "
                    f"as often as those that did not ({difference_text(a)}, "
                    f"{a.n} vs {a.other_n} decided). Consider making it a weighted criterion "
                    "instead of a gate.",
                )
            )
        elif c.criterion in rubric.must_meet and a.predicts and (a.points or 0) < 0:
            out.append(
                Suggestion(
                    Hint.GATE_BACKWARDS,
                    c.criterion,
                    f"{label} is a must-meet gate, yet meetings that met it were accepted less "
                    f"often ({difference_text(a)}). Check what the criterion asks of the SDR.",
                )
            )
        elif weight < average and _strong(a):
            gate = c.criterion in NEVER_GATES or c.criterion in rubric.must_meet
            more = "a larger weight" if gate else "a larger weight, or making it must-meet"
            out.append(
                Suggestion(
                    Hint.LIGHT_BUT_STRONG,
                    c.criterion,
                    f"{label} carries only {weight} of {rubric.total_weight} points, yet meetings "
                    f"that met it were accepted {rate_gap(c)} ({difference_text(a)}). "
                    f"Consider {more}.",
                )
            )
    bar = _bar(ranking, rubric)
    if bar is not None:
        out.append(bar)
    return tuple(out)


def _strong(a: Split) -> bool:
    return a.predicts and a.difference is not None and 100 * a.difference.low >= STRONG_POINTS


def _bar(ranking: Ranking, rubric: Rubric) -> Suggestion | None:
    cleared = ranking.cleared
    if cleared.n < ranking.min_sample:
        return None
    rate = wilson(cleared.hits, cleared.n)
    if rate is None or rate.high >= MOSTLY:
        return None
    rejected = cleared.n - cleared.hits
    return Suggestion(
        Hint.BAR_TOO_LOW,
        None,
        f"The bar ({rubric.bar}) lets through meetings AEs mostly reject: of {cleared.n} "
        f"decided meetings that cleared it, {rejected} were rejected (accepted "
        f"{100 * rate.estimate:.0f}%, 95% CI {100 * rate.low:.0f}–{100 * rate.high:.0f}%). "
        "Consider raising the bar or a stricter criterion; try it first with "
        "`handoff rubric try`.",
    )


def rate_gap(c: CriterionRank) -> str:
    a = c.acceptance
    met = 100 * a.hits / a.n if a.n else 0
    other = 100 * a.other_hits / a.other_n if a.other_n else 0
    return f"{met:.0f}% of the time against {other:.0f}%"


def signed(points: float) -> str:
    """+12, −3, 0: whole points with a real minus sign."""
    whole = round(points)
    if whole == 0:
        return "0"
    return f"+{whole}" if whole > 0 else f"−{abs(whole)}"


def difference_text(s: Split) -> str:
    if s.difference is None:
        return "no data on one side"
    d = s.difference
    return f"{signed(100 * d.estimate)} pts, 95% CI {signed(100 * d.low)} to {signed(100 * d.high)}"
