"""Two charts for tuning the rubric, drawn like the trend chart (a Figure on Agg, PNG bytes).

- `calibration_chart`: each criterion's acceptance difference (met − not met, points) as a
  horizontal bar with its 95% interval, strongest finding on top; criteria without a
  verdict are grey.
- `replay_chart`: the current and the proposed rubric side by side: how many clear the bar,
  and the acceptance and opportunity rates of those that do.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from handoff.digest import Ranking
from handoff.replay import Replay

FINDING_COLOR = "#1d4e89"
UNCLEAR_COLOR = "#b8c2cc"
CURRENT_COLOR = "#9db4d3"
PROPOSED_COLOR = "#e07b39"
LABEL_MAX = 30


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # A Figure, not pyplot: no global state, safe in a scheduler thread.
    return Figure(figsize=(width, height), dpi=100)


def _png(fig: Any) -> bytes:
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _short(text: str) -> str:
    """Clipped, and with every $ escaped: matplotlib reads "$…$" as math, and a label such as
    "Budget over $50k, under $1M" would otherwise fail to draw."""
    text = " ".join(text.split())
    text = text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"
    return text.replace("$", r"\$")


def calibration_chart(ranking: Ranking, labels: Mapping[str, str]) -> bytes:
    rows = [c for c in ranking.criteria if c.acceptance.difference is not None]
    fig = _figure(8, 1.2 + 0.5 * max(len(rows), 1))
    ax = fig.subplots()
    # Top to bottom in ranking order: barh draws from the bottom up.
    rows = list(reversed(rows))
    y = list(range(len(rows)))
    points, low_err, high_err, colors = [], [], [], []
    for c in rows:
        d = c.acceptance.difference
        assert d is not None
        points.append(100 * d.estimate)
        low_err.append(100 * (d.estimate - d.low))
        high_err.append(100 * (d.high - d.estimate))
        colors.append(FINDING_COLOR if c.acceptance.predicts else UNCLEAR_COLOR)
    ax.set_axisbelow(True)
    ax.barh(y, points, color=colors, height=0.6)
    for i, (p, high) in enumerate(zip(points, high_err, strict=True)):
        # The value just past the interval's right end, where nothing else is drawn.
        ax.text(p + high + 2, i, f"{p:+.0f}", va="center", fontsize=8, color="#555555")
    ax.errorbar(points, y, xerr=[low_err, high_err], fmt="none", ecolor="#333333", capsize=3)
    names = [
        _short(labels.get(c.criterion, c.criterion))
        + ("" if c.acceptance.predicts else "  (not enough data)")
        for c in rows
    ]
    ax.set_yticks(y, names, fontsize=9)
    ax.axvline(0, color="#555555", linewidth=1)
    ax.set_xlim(-100, 100)
    ax.set_xlabel("Acceptance when met minus when not met (points), with 95% interval")
    ax.grid(axis="x", color="#eeeeee")
    ax.spines[["top", "right"]].set_visible(False)
    if not rows:
        ax.text(0, 0, "No decided handoffs in the window", ha="center", va="center")
    ax.set_title(
        f"Which criteria predict acceptance: the {ranking.weeks} weeks to "
        f"{ranking.window.end:%b %-d %Y}",
        fontsize=11,
    )
    return _png(fig)


def replay_chart(replay: Replay) -> bytes:
    fig = _figure(9, 3.8)
    axes = fig.subplots(1, 3)
    current, proposed = replay.current, replay.proposed
    names = [f"current\n{_short(current.version)}", f"proposed\n{_short(proposed.version)}"]
    panels: list[tuple[str, Callable[[Any], float | None], str]] = [
        ("Would clear the bar", lambda s: s.cleared.submitted, "{:.0f}"),
        ("…of them accepted", lambda s: s.cleared.acceptance_rate, "{:.0f}%"),
        ("…of them opportunities", lambda s: s.cleared.opportunity_rate, "{:.0f}%"),
    ]
    for ax, (title, value, fmt) in zip(axes, panels, strict=True):
        values = [value(current), value(proposed)]
        heights = [v or 0 for v in values]
        bars = ax.bar(names, heights, color=[CURRENT_COLOR, PROPOSED_COLOR], width=0.6)
        ax.bar_label(bars, [("–" if v is None else fmt.format(v)) for v in values], fontsize=9)
        ax.set_title(title, fontsize=10)
        top = max([*heights, 1]) * 1.25 if fmt == "{:.0f}" else 110
        ax.set_ylim(0, top)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(
        f"{replay.judged} handoffs re-scored: {len(replay.now_cleared)} would newly clear the "
        f"bar, {len(replay.now_held_back)} would be held back",
        fontsize=11,
    )
    return _png(fig)
