"""The digest as a Slack message: a view model of ready-made mrkdwn, rendered by a template.

Every table has at most `[digest].top` rows (the rest summed as "+K more"), every label is
clipped, and the whole message is measured against Slack's limits (50 blocks, 3,000
characters a section, about 12,000 characters of text a message) and shortened until it
fits, however many SDRs, sources or reasons there are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.surfaces.calibration_text import criterion_line, spread_line, step_line, unclear_item
from bot.surfaces.chase_messages import business_span
from bot.surfaces.render import cap, channel, mrkdwn, render, safe_link, user
from handoff.businesstime import BusinessClock
from handoff.config import Config
from handoff.digest import (
    Digest,
    Funnel,
    Group,
    Headline,
    Period,
    Ranking,
    Suggestion,
    pct,
    rank,
    suggest,
)
from handoff.digest.booked import BookedGroup, BookedMeetings

SECTION_MAX = 3000
MESSAGE_BUDGET = 11_000  # Slack refuses about 12-13k characters of block text
LABEL_WIDTH = 22
PERIOD_TITLE = "📊 Weekly handoff digest"


def digest_message(
    digest: Digest,
    config: Config,
    *,
    links: Mapping[int, str] | None = None,
    chart_failed: bool = False,
) -> dict[str, Any]:
    """{"text", "blocks"}; `chart_failed` adds the chart's figures as a table instead."""
    top = config.digest.top
    while True:
        message = render(
            "messages/digest.json.j2",
            d=digest_model(digest, config, links=links or {}, chart_failed=chart_failed, top=top),
            ids=ids,
        )
        if text_length(message["blocks"]) <= MESSAGE_BUDGET or top <= 1:
            return message
        top -= 1


def text_length(blocks: Sequence[Any]) -> int:
    """All the text a message's blocks carry (what Slack's size limit counts)."""
    total = 0

    def walk(node: Any) -> None:
        nonlocal total
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    total += len(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(list(blocks))
    return total


# -- the view model ---------------------------------------------------------------------------


def digest_model(
    digest: Digest,
    config: Config,
    *,
    links: Mapping[int, str],
    chart_failed: bool,
    top: int,
) -> dict[str, Any]:
    zone = config.policy.zone
    head = digest.headline
    sections: list[dict[str, str]] = []

    def add(title: str, body: str, note: str = "") -> None:
        text = f"*{title}*\n{body}"
        if note:
            text += f"\n_{note}_"
        sections.append({"text": cap(text, SECTION_MAX)})

    flags = flag_lines(digest, config, top)
    if flags:
        add("⚠️ Worth a look", "\n".join(flags))
    if digest.booked.total.booked:
        add(
            "Booked in a scheduling tool",
            booked_text(digest.booked, top),
            "bookings received in the period, as they stand now; time = from the booking to "
            "the handoff sent from it (median)",
        )
    add("By SDR", sdr_lines(digest.sdrs, top))
    label = config.label
    add("By source", group_table("Source", digest.sources, lambda k: label("sources", k), top))
    add(
        "By industry",
        group_table("Industry", digest.industries, lambda k: label("industries", k), top),
    )
    add("By region", group_table("Region", digest.regions, lambda k: label("regions", k), top))
    add("Top rejection reasons", reason_lines(digest, config, top))
    add("Meetings due this week (accepted)", outcome_text(digest))
    add("Oldest undecided briefs", stale_lines(head, links, zone))
    add("Disputes", dispute_text(digest))
    cal = digest.calibration
    window = f"handoffs submitted in the {cal.weeks} week{'s' if cal.weeks != 1 else ''} to "
    window += _day(cal.window.end, zone)
    ranking = rank(cal, config.digest.calibration_min_sample)
    add(
        "Calibration: which criteria predict acceptance and opportunities",
        ranked_lines(ranking, config, top=max(top, 7)),
        window + "; met vs not met, the difference in points with its 95% interval "
        f"(Newcombe). A verdict needs {ranking.min_sample} handoffs on each side and an "
        "interval that excludes 0",
    )
    advice = suggest(ranking, config.rubric)
    if advice:
        add(
            "What the data suggests",
            suggestion_lines(advice, top),
            "Suggestions only: nothing changes until you edit the rubric "
            "(try an edit first with `handoff rubric try`)",
        )
    add("By score band", band_lines(ranking), "acceptance and opportunity rates, 95% intervals")
    if len(cal.versions) > 1:
        add("By rubric version", version_lines(ranking, top))
    if chart_failed:
        add("Last 8 weeks (the chart could not be uploaded)", trend_table(digest.trend, zone))

    policy = config.policy
    sla = business_span(policy.response_sla_hours, BusinessClock(policy).hours_per_day)
    return {
        "title": PERIOD_TITLE,
        "period": period_text(head.period, zone),
        "fallback": fallback_text(head, zone),
        "headline": headline_fields(head),
        "speed": speed_fields(digest, sla),
        "sections": sections,
        "footer": (
            "Counts are the handoffs submitted in the period, as they stand now (an overturned "
            "rejection counts as accepted). Acceptance rate = accepted / (accepted + rejected). "
            "Changes are against the week before. SLA breaches = briefs that got the response "
            "reminder."
        ),
    }


def period_text(period: Period, zone: ZoneInfo) -> str:
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    return (
        f"{start:%a %b} {start.day}, {start:%H:%M} – {end:%a %b} {end.day} {end.year}, "
        f"{end:%H:%M} ({zone.key})"
    )


def _day(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%b} {local.day}"


def fallback_text(head: Headline, zone: ZoneInfo) -> str:
    f = head.funnel
    return (
        f"Weekly handoff digest, week to {_day(head.period.end, zone)}: {f.submitted} submitted, "
        f"{f.accepted} accepted, {f.rejected} rejected ({rate(f.acceptance_rate)} accepted), "
        f"{f.pending} still pending"
    )


def headline_fields(head: Headline) -> list[str]:
    f, changes = head.funnel, head.changes
    rows = [
        ("Submitted", str(f.submitted), delta(changes["submitted"])),
        ("Accepted", str(f.accepted), delta(changes["accepted"])),
        ("Rejected", str(f.rejected), delta(changes["rejected"])),
        ("Withdrawn", str(f.withdrawn), delta(changes["withdrawn"])),
        ("Still pending", str(f.pending), delta(changes["pending"])),
        *(
            [("Meeting canceled", str(f.canceled), delta(changes["canceled"]))]
            if f.canceled or head.previous.canceled
            else []
        ),
        ("Acceptance rate", rate(f.acceptance_rate), delta(changes["acceptance_rate"], " pts")),
    ]
    return [f"*{name}*\n{value}   {d}" for name, value, d in rows]


def speed_fields(digest: Digest, sla: str) -> list[str]:
    t, s, o = digest.headline.timing, digest.sla, digest.outcomes
    timing = (
        f"median {duration(t.median_seconds)} · p90 {duration(t.p90_seconds)} ({t.decided} decided)"
        if t.decided
        else "no decisions yet"
    )
    return [
        f"*Time to decision*\n{timing}",
        f"*Response SLA ({sla}) breaches*\n{s.total} ({s.still_undecided} still undecided)",
        f"*Opportunity rate*\n{rate(o.opportunity_rate)} of {o.with_final_outcome} meetings "
        "with an outcome",
        f"*Undecided now*\n{undecided_text(digest.headline)}",
    ]


def undecided_text(head: Headline) -> str:
    if not head.undecided:
        return "none"
    waited = ""
    if head.stale:
        age = (head.period.end - head.stale[0].submitted_at).total_seconds()
        waited = f", the oldest waiting {duration(age)}"
    return f"{head.undecided} brief{'s' if head.undecided != 1 else ''}" + (waited)


# -- sections ---------------------------------------------------------------------------------


def sdr_lines(rows: Sequence[Group], top: int) -> str:
    if not rows:
        return "No handoffs submitted."
    lines = [
        f"• {user(g.key)}  *{g.submitted}* submitted · {g.accepted} accepted · {g.rejected} "
        f"rejected · {rate(g.acceptance_rate)} · median {duration(g.median_seconds)}"
        for g in rows[:top]
    ]
    rest = rows[top:]
    if rest:
        lines.append(
            f"+{len(rest)} more SDR{'s' if len(rest) != 1 else ''}: "
            f"{sum(g.submitted for g in rest)} submitted · {sum(g.accepted for g in rest)} "
            f"accepted · {sum(g.rejected for g in rest)} rejected"
        )
    return "\n".join(lines)


def booked_text(booked: BookedMeetings, top: int) -> str:
    def counts(g: BookedGroup) -> str:
        return (
            f"*{g.booked}* booked · {g.qualified} qualified · {g.unqualified} not yet · "
            f"{g.canceled} canceled · time {duration(g.median_seconds)}"
        )

    lines = [counts(booked.total)]
    for g in booked.sdrs[:top]:
        who = user(g.key) if g.key else "nobody in Slack (see `handoff people`)"
        lines.append(f"• {who}  {counts(g)}")
    if len(booked.sdrs) > top:
        lines.append(f"+{len(booked.sdrs) - top} more SDRs")
    body = [
        [_cell(g.key), g.booked, g.qualified, g.unqualified, g.canceled, duration(g.median_seconds)]
        for g in booked.sources[:top]
    ]
    rest = booked.sources[top:]
    if rest:
        body.append(
            [
                f"+{len(rest)} more",
                sum(g.booked for g in rest),
                sum(g.qualified for g in rest),
                sum(g.unqualified for g in rest),
                sum(g.canceled for g in rest),
                "",
            ]
        )
    return (
        "\n".join(lines)
        + "\n"
        + code(table(["Source", "Booked", "Qual", "Not yet", "Canc", "Time"], body))
    )


def group_table(title: str, rows: Sequence[Group], name: Callable[[str], str], top: int) -> str:
    if not rows:
        return "No handoffs submitted."
    body = [
        [_cell(name(g.key)), g.submitted, g.accepted, g.rejected, rate(g.acceptance_rate)]
        for g in rows[:top]
    ]
    rest = rows[top:]
    if rest:
        s = sum(g.submitted for g in rest)
        a = sum(g.accepted for g in rest)
        r = sum(g.rejected for g in rest)
        body.append([f"+{len(rest)} more", s, a, r, rate(pct(a, a + r))])
    return code(table([title, "Sent", "Acc", "Rej", "Rate"], body))


def reason_lines(digest: Digest, config: Config, top: int) -> str:
    if not digest.reasons:
        return "No rejections."
    lines = [
        f"• {mrkdwn(config.label('rejection_reasons', key), 80)} — *{n}*"
        for key, n in digest.reasons[:top]
    ]
    rest = digest.reasons[top:]
    if rest:
        lines.append(f"+{len(rest)} more reasons: {sum(n for _, n in rest)}")
    return "\n".join(lines)


def outcome_text(digest: Digest) -> str:
    o = digest.outcomes
    if not o.meetings:
        return "No accepted meetings were due."
    return (
        f"*{o.meetings}* meetings: {o.held_opportunity} held, opportunity created · "
        f"{o.held_no_fit} held, not a fit · {o.no_show} no-show · {o.rescheduled} rescheduled · "
        f"{o.unknown} outcome unknown\n"
        f"Opportunity rate: *{rate(o.opportunity_rate)}* of {o.with_final_outcome} with an outcome"
    )


def stale_lines(head: Headline, links: Mapping[int, str], zone: ZoneInfo) -> str:
    if not head.undecided:
        return "None: every brief has a decision. 🎉"
    lines = []
    for b in head.stale:
        name = mrkdwn(b.company, 60)
        link = links.get(b.id, "")
        if safe_link(link):
            shown = f"<{link}|{name}>"
        elif b.channel:
            shown = f"*{name}* (in {channel(b.channel)})"
        else:
            shown = f"*{name}* (brief not posted yet)"
        waited = duration((head.period.end - b.submitted_at).total_seconds())
        lines.append(f"• {shown} · waiting {waited} · booked by {user(b.sdr_id)} · #{b.id}")
    more = head.undecided - len(head.stale)
    if more > 0:
        lines.append(f"+{more} more undecided")
    return "\n".join(lines)


def dispute_text(digest: Digest) -> str:
    d = digest.disputes
    return (
        f"{d.opened} opened · {d.upheld} upheld · {d.overturned} overturned (counted as accepted)"
        f" · {d.open_at_end} awaiting a manager"
    )


def flag_lines(digest: Digest, config: Config, top: int) -> list[str]:
    lines = []
    for f in digest.rubber_stamps[:top]:
        lines.append(
            f"🔁 *Possible rubber stamp*: {user(f.ae_id)} accepted {f.accepted} of "
            f"{f.decisions} decisions ({f.rate}%; team {f.team_rate}%)"
        )
    for c in digest.coaching[:top]:
        lines.append(
            f"🎯 *Coaching signal*: {user(c.sdr_id)} — {c.count} of {c.rejections} rejections "
            f"were *{mrkdwn(config.label('rejection_reasons', c.reason), 60)}*"
        )
    extra = max(len(digest.rubber_stamps) - top, 0) + max(len(digest.coaching) - top, 0)
    if extra:
        lines.append(f"+{extra} more flags")
    return lines


def ranked_lines(ranking: Ranking, config: Config, top: int) -> str:
    """Findings strongest first, then the criteria without a verdict yet."""
    if not ranking.criteria:
        return "No scored handoffs in the window."
    labels = config.rubric.labels

    def label(key: str) -> str:
        return mrkdwn(" ".join(labels.get(key, key).split()), 40)

    lines = [
        f"{i}. {criterion_line(c, label(c.criterion))}"
        for i, c in enumerate(ranking.findings[:top], 1)
    ]
    if not lines:
        lines.append("No criterion predicts acceptance or opportunities clearly yet.")
    if len(ranking.findings) > top:
        lines.append(f"+{len(ranking.findings) - top} more")
    rest = [unclear_item(c, label(c.criterion), ranking.min_sample) for c in ranking.undecided]
    if rest:
        more = f"; +{len(rest) - top} more" if len(rest) > top else ""
        lines.append("_Not enough data yet:_ " + "; ".join(rest[:top]) + more)
    return "\n".join(lines)


def suggestion_lines(advice: Sequence[Suggestion], top: int) -> str:
    lines = [f"💡 {mrkdwn(a.text, 600)}" for a in advice[:top]]
    if len(advice) > top:
        lines.append(f"+{len(advice) - top} more")
    return "\n".join(lines)


def band_lines(ranking: Ranking) -> str:
    lines = [f"• {step_line(b, f'Score {b.label}')}" for b in ranking.bands]
    return "\n".join([*lines, spread_line(ranking)])


def version_lines(ranking: Ranking, top: int) -> str:
    return "\n".join(
        f"• {step_line(v, mrkdwn(_cell(v.label, 16)))}" for v in ranking.versions[-top:]
    )


def trend_table(trend: Sequence[tuple[Period, Funnel]], zone: ZoneInfo) -> str:
    body = [
        [f"{_day(p.start, zone)}", f.submitted, f.accepted, rate(f.acceptance_rate)]
        for p, f in trend
    ]
    return code(table(["Week of", "Sent", "Acc", "Rate"], body))


# -- formatting -------------------------------------------------------------------------------


def rate(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def delta(value: int | None, unit: str = "") -> str:
    if value is None:
        return ""
    if value == 0:
        return "(±0)"
    arrow = "▲" if value > 0 else "▼"
    return f"({arrow} {abs(value)}{unit})"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    groups: Sequence[tuple[str, int]] = (),
) -> str:
    """Columns padded to their widths: the first left-aligned, the others right-aligned.
    `groups` (label, columns spanned) adds a line above the headers, e.g. "── met ──"."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    if groups:
        parts, column = [], 0
        for label, span in groups:
            width = sum(widths[column : column + span]) + 2 * (span - 1)
            parts.append(f"── {label} ".ljust(width, "─") if label else " " * width)
            column += span
        lines.append("  ".join(parts).rstrip())
    for row in cells:
        first = row[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join([first, *rest]).rstrip())
    return "\n".join(lines)


def code(text: str) -> str:
    """A code block: the table's own text escaped for mrkdwn (a label may hold < or &)."""
    return "```\n" + mrkdwn(text) + "\n```"


def _cell(label: str, width: int = LABEL_WIDTH) -> str:
    label = " ".join(label.split())
    return label if len(label) <= width else label[: width - 1] + "…"
