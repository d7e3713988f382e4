"""The digest's chart: the last 8 weeks, submitted vs accepted bars and the acceptance rate.

Drawn with matplotlib's Agg backend (no display needed) into PNG bytes in memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from handoff.digest import Funnel, Period

SUBMITTED_COLOR = "#9db4d3"
ACCEPTED_COLOR = "#1d4e89"
RATE_COLOR = "#e07b39"


def trend_chart(trend: Sequence[tuple[Period, Funnel]], zone: ZoneInfo) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    labels = [period_label(p, zone) for p, _ in trend]
    submitted = [f.submitted for _, f in trend]
    accepted = [f.accepted for _, f in trend]
    rates = [f.acceptance_rate for _, f in trend]

    # A Figure, not pyplot: no global state, safe in a scheduler thread. The rate gets its
    # own panel above the bars, so neither hides the other and both axes start at zero.
    fig = Figure(figsize=(8, 4.6), dpi=100)
    rate_ax, ax = fig.subplots(2, 1, sharex=True, height_ratios=[1, 2.2])
    x = list(range(len(trend)))
    width = 0.38
    bars_s = ax.bar([i - width / 2 for i in x], submitted, width, color=SUBMITTED_COLOR)
    bars_a = ax.bar([i + width / 2 for i in x], accepted, width, color=ACCEPTED_COLOR)
    ax.bar_label(bars_s, fontsize=8, color="#555555")
    ax.bar_label(bars_a, fontsize=8, color="#555555")
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_xlabel("Week starting", fontsize=9)
    ax.set_ylabel("Handoffs")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*submitted, 1]) * 1.2)
    ax.legend(
        [bars_s, bars_a],
        ["Submitted", "Accepted"],
        loc="upper left",
        fontsize=8,
        frameon=False,
        ncols=2,
    )

    points = [(i, r) for i, r in zip(x, rates, strict=True) if r is not None]
    rate_ax.plot(
        [i for i, _ in points], [r for _, r in points], color=RATE_COLOR, marker="o", linewidth=2
    )
    for i, r in points:
        rate_ax.annotate(
            f"{r}%",
            (i, r),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
            color=RATE_COLOR,
        )
    rate_ax.set_ylim(0, 125)
    rate_ax.set_yticks([0, 50, 100])
    rate_ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    rate_ax.set_ylabel("Acceptance\nrate", fontsize=9)
    rate_ax.grid(axis="y", color="#eeeeee")
    for a in (ax, rate_ax):
        a.spines[["top", "right"]].set_visible(False)
    rate_ax.set_title(
        "Handoffs, last 8 weeks: acceptance rate (top), submitted and accepted (bottom)",
        fontsize=11,
    )
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def period_label(period: Period, zone: ZoneInfo) -> str:
    return period.start.astimezone(zone).strftime("%b %-d")
