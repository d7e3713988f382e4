"""`handoff calibrate` and `handoff rubric try` for a terminal: text, JSON or CSV.

Plain text, not Slack: labels are shown as typed. CSV text cells that a spreadsheet would
run as a formula get the export's leading quote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.surfaces.calibration_text import interval_text, points_cell, share, spread_line
from bot.surfaces.digest_message import table
from handoff.config import Config
from handoff.digest import CriterionRank, Period, Ranking, Split, Step, Suggestion
from handoff.digest.figures import Rates
from handoff.replay import Change, Replay, Side, fate, fates
from storage.export import neutralise

VERDICTS = {"predicts": "predicts", "unclear": "interval spans 0", "too_few": "too few"}
FATES = {
    "held_opportunity": "opportunity",
    "held_no_fit": "held – not a fit",
    "no_show": "no-show",
    "rescheduled": "rescheduled",
    "outcome_unknown": "accepted, outcome unknown",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
    "undecided": "undecided",
}
CHANGES_SHOWN = 20


def window_text(window: Period, weeks: int, zone: ZoneInfo) -> str:
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    return (
        f"handoffs submitted {start:%b} {start.day} – {end:%b} {end.day} {end.year}, {end:%H:%M} "
        f"({weeks} week{'s' if weeks != 1 else ''}, {zone.key})"
    )


# -- handoff calibrate ------------------------------------------------------------------------


def calibrate_text(ranking: Ranking, advice: Sequence[Suggestion], config: Config) -> str:
    labels = config.rubric.labels
    zone = config.policy.zone
    out = [
        f"Calibration: {window_text(ranking.window, ranking.weeks, zone)}",
        f"Met vs not met; difference in points with its 95% interval (Newcombe). A verdict "
        f"needs {ranking.min_sample} on each side and an interval that excludes 0.",
        "",
        "Criteria, the strongest predictor of acceptance first:",
    ]
    headers = ["Criterion", "accepted: met", "not met", "difference", "opps: met"]
    headers += ["not met", "difference", "verdict"]
    rows = [_criterion_cells(c, labels, f"{i}. ") for i, c in enumerate(ranking.findings, 1)]
    if ranking.undecided:
        rows.append(["– not enough data yet –", *[""] * 7])
        rows += [_criterion_cells(c, labels, "   ") for c in ranking.undecided]
    out.append(table(headers, rows) if ranking.criteria else "No scored handoffs in the window.")
    out += ["", "By score band:", _steps_table("Score", ranking.bands), spread_line(ranking)]
    if len(ranking.versions) > 1:
        out += ["", "By rubric version:", _steps_table("Rubric", ranking.versions)]
    bar = ranking.cleared
    out += [
        "",
        f"Cleared the bar when judged: accepted {share(bar.hits, bar.n)}; did not: "
        f"{share(bar.other_hits, bar.other_n)}.",
        "",
        "What the data suggests (nothing is changed; try an edit with `handoff rubric try`):",
    ]
    out += [f"- {a.text}" for a in advice] or ["- Nothing yet."]
    return "\n".join(out)


def _criterion_cells(c: CriterionRank, labels: Mapping[str, str], prefix: str) -> list[str]:
    a, o = c.acceptance, c.opportunity
    verdict = VERDICTS[a.verdict.value]
    if not a.predicts and o.predicts:
        verdict = "predicts opportunities"
    return [
        prefix + _label(labels.get(c.criterion, c.criterion)),
        share(a.hits, a.n),
        share(a.other_hits, a.other_n),
        points_cell(a),
        share(o.hits, o.n),
        share(o.other_hits, o.other_n),
        points_cell(o),
        verdict,
    ]


def _steps_table(title: str, steps: Sequence[Step]) -> str:
    rows = [
        [
            _label(s.label),
            s.rates.submitted,
            f"{interval_text(s.acceptance_rate)} of {s.rates.decided}",
            f"{interval_text(s.opportunity_rate)} of {s.rates.with_outcome}",
            "" if s.acceptance_change is None else points_cell(s.acceptance_change),
            "" if s.acceptance_change is None else VERDICTS[s.acceptance_change.verdict.value],
        ]
        for s in steps
    ]
    return table([title, "sent", "accepted (95% CI)", "opps (95% CI)", "vs before", ""], rows)


def _label(text: str, width: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _split(s: Split) -> dict[str, Any]:
    d = s.difference
    return {
        "met": {"hits": s.hits, "n": s.n},
        "not_met": {"hits": s.other_hits, "n": s.other_n},
        "difference_points": None if d is None else round(100 * d.estimate, 2),
        "ci95_low_points": None if d is None else round(100 * d.low, 2),
        "ci95_high_points": None if d is None else round(100 * d.high, 2),
        "verdict": s.verdict.value,
    }


def _step(s: Step) -> dict[str, Any]:
    return {
        "label": s.label,
        "rates": _rates(s.rates),
        "acceptance_change": None if s.acceptance_change is None else _split(s.acceptance_change),
        "opportunity_change": None
        if s.opportunity_change is None
        else _split(s.opportunity_change),
    }


def _rates(r: Rates) -> dict[str, int]:
    return {
        "submitted": r.submitted,
        "decided": r.decided,
        "accepted": r.accepted,
        "with_outcome": r.with_outcome,
        "opportunities": r.opportunities,
    }


def calibrate_json(ranking: Ranking, advice: Sequence[Suggestion], config: Config) -> str:
    labels = config.rubric.labels
    data = {
        "window": {
            "start": ranking.window.start.isoformat(),
            "end": ranking.window.end.isoformat(),
            "weeks": ranking.weeks,
        },
        "min_sample": ranking.min_sample,
        "criteria": [
            {
                "rank": i,
                "criterion": c.criterion,
                "label": labels.get(c.criterion, c.criterion),
                "predictive": c.predictive,
                "acceptance": _split(c.acceptance),
                "opportunity": _split(c.opportunity),
            }
            for i, c in enumerate(ranking.criteria, 1)
        ],
        "bands": [_step(b) for b in ranking.bands],
        "band_spread": None if ranking.band_spread is None else _split(ranking.band_spread),
        "versions": [_step(v) for v in ranking.versions],
        "cleared_bar": _split(ranking.cleared),
        "suggestions": [
            {"hint": a.hint.value, "criterion": a.criterion, "text": a.text} for a in advice
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


CSV_HEADERS = [
    "section",
    "rank",
    "key",
    "label",
    "measure",
    "hits",
    "n",
    "other_hits",
    "other_n",
    "difference_points",
    "ci95_low_points",
    "ci95_high_points",
    "verdict",
]


def calibrate_csv(ranking: Ranking, config: Config) -> str:
    """One row per comparison: criteria (met vs not met), bands and versions (vs the one
    before)."""
    labels = config.rubric.labels
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)

    def row(section: str, rank: Any, key: str, label: str, measure: str, s: Split) -> None:
        cells = _split(s)
        writer.writerow(
            [
                section,
                rank,
                neutralise(key),
                neutralise(label),
                measure,
                s.hits,
                s.n,
                s.other_hits,
                s.other_n,
                cells["difference_points"],
                cells["ci95_low_points"],
                cells["ci95_high_points"],
                s.verdict.value,
            ]
        )

    for i, c in enumerate(ranking.criteria, 1):
        label = labels.get(c.criterion, c.criterion)
        row("criterion", i, c.criterion, label, "acceptance", c.acceptance)
        row("criterion", i, c.criterion, label, "opportunity", c.opportunity)
    for section, steps in (("band", ranking.bands), ("version", ranking.versions)):
        for s in steps:
            if s.acceptance_change is not None and s.opportunity_change is not None:
                row(section, "", s.label, s.label, "acceptance", s.acceptance_change)
                row(section, "", s.label, s.label, "opportunity", s.opportunity_change)
    return out.getvalue()


# -- handoff rubric try -----------------------------------------------------------------------


def replay_text(result: Replay, window: str) -> str:
    current, proposed = result.current, result.proposed
    out = [
        f"Replay: {result.judged} {window}, re-scored by both rubrics",
        "",
        table(
            ["", "current", "proposed"],
            [
                ["rubric version", _label(current.version), _label(proposed.version)],
                ["bar", current.bar, proposed.bar],
                *_side_rows(current, proposed),
            ],
        ),
        "",
        _changes("Would newly clear the bar", result.now_cleared),
        "",
        _changes("Would be held back", result.now_held_back),
    ]
    if result.unjudged:
        out += ["", *_unjudged(result)]
    return "\n".join(out)


def _unjudged(result: Replay) -> list[str]:
    """Grouped by what makes them unjudgeable, with the handoffs each problem hides."""
    by_problem: dict[tuple[str, str], list[int]] = {}
    for u in result.unjudged:
        for problem in u.problems:
            by_problem.setdefault((u.rubric, problem), []).append(u.case.id)
    count = len(result.unjudged)
    out = [f"Cannot judge {count} handoff{'s' if count != 1 else ''} (left out above):"]
    for (rubric, problem), ids in sorted(by_problem.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(f"#{i}" for i in ids[:CHANGES_SHOWN])
        more = f" +{len(ids) - CHANGES_SHOWN} more" if len(ids) > CHANGES_SHOWN else ""
        out.append(f"  the {rubric} rubric: {problem}: {len(ids)} ({shown}{more})")
    return out


def _side_rows(current: Side, proposed: Side) -> list[list[Any]]:
    def acc(r: Rates) -> str:
        return f"{share(r.accepted, r.decided)} decided"

    def opp(r: Rates) -> str:
        return f"{share(r.opportunities, r.with_outcome)} with an outcome"

    return [
        ["would clear the bar", current.cleared.submitted, proposed.cleared.submitted],
        ["  accepted", acc(current.cleared), acc(proposed.cleared)],
        ["  opportunities", opp(current.cleared), opp(proposed.cleared)],
        ["held back", current.held_back.submitted, proposed.held_back.submitted],
        ["  accepted", acc(current.held_back), acc(proposed.held_back)],
        ["  opportunities", opp(current.held_back), opp(proposed.held_back)],
    ]


def _changes(title: str, changes: Sequence[Change]) -> str:
    if not changes:
        return f"{title}: none."
    counted = fates(changes)
    what = " · ".join(f"{n} {FATES.get(k, k)}" for k, n in counted.most_common())
    lines = [f"{title}: {len(changes)} ({what})"]
    for c in changes[:CHANGES_SHOWN]:
        lines.append(
            f"  #{c.case.id} {_label(c.case.company, 40)}: score {c.current.points} → "
            f"{c.proposed.points}; {FATES.get(fate(c.case), fate(c.case))}"
        )
    if len(changes) > CHANGES_SHOWN:
        lines.append(f"  +{len(changes) - CHANGES_SHOWN} more")
    return "\n".join(lines)
