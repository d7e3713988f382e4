"""Hostile text an SDR or AE might type, and a handoff with it in every field they fill.

LIVE_SYNTAX is what must never come out of a template as live mrkdwn: a mention, a channel
or group broadcast, a link.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import cache
from typing import Any

from handoff.config import Config, load_config
from handoff.model import Field, Handoff, Stakeholder, Status
from handoff.scoring import score
from tests.support.qualifications import NOW, qualification

SDR = "U0SDR"
AE = "U0AE"
MGR = "U0MGR"
CHANNEL = "C0AE"
MEETING_AT = NOW + timedelta(days=3)

LIVE_SYNTAX = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<#C123>",
    "<!subteam^S1>",
    "<https://x.y|click>",
)

HOSTILE: dict[str, str] = {
    "channel": "<!channel> look",
    "here": "<!here>",
    "everyone": "hey <!everyone>!",
    "user_mention": "<@U123>",
    "channel_link": "<#C123>",
    "subteam": "<!subteam^S1>",
    "link": "<https://x.y|click>",
    "amp_entity_literal": "Tom &amp; Jerry &lt;3 &gt;",
    "amp_lt_gt": "R&D < ops > sales & more",
    "double_quotes": 'She said "yes", "no" and """',
    "single_quotes": "O'Brien's 'deal'",
    "backslashes": "C:\\temp\\new \\n \\u003c \\\\",
    "jinja_expr": "{{ 7 * 7 }} {{ ids.Action.ACCEPT }}",
    "jinja_stmt": "{% for x in range(3) %}x{% endfor %} {# comment #} {%- raw %}",
    "json_breaking": '"}]},{"type":"divider"}],"text":"pwned',
    "newlines": "line one\nline two\r\nline three\n\n\nafter blank lines",
    "tabs": "col1\tcol2\t\tcol3",
    "emoji": "👩‍👩‍👧‍👦 🧑🏽‍💻 👍🏿 🏳️‍🌈 🇫🇷 ❤️‍🔥",
    "rtl": "شركة الأمل \u202eevil\u202c עברית",
    "control_chars": "a\x01b\x07c\x1bd\x7fe\u200bf\u2028g\u2029h\ufeffi",
    "all_in_one": (
        "<!channel> <!here> <!everyone> <@U123> <#C123> <!subteam^S1> <https://x.y|click> "
        '&amp; & < > " \' \\ {{ x }} {% y %} "}]}, \n\r\n\t 👩‍👩‍👧‍👦 👍🏽 שלום \x01'
    ),
    "long_plain": ("Long account description " * 150)[:3000],
    "long_lt": "<" * 3000,
    "long_amp": "&" * 3000,
    "long_mixed": ("<!channel> & <@U123> <https://x.y|click>\n" * 100)[:3000],
}


@cache
def _config() -> Config:
    """The default config, read once: property tests build thousands of handoffs."""
    return load_config()


def make_handoff(
    text: str,
    status: Status = Status.PENDING,
    *,
    comment: str | None = None,
    stakeholders: int = 3,
    handoff_id: int = 42,
    dispute: str | None = None,
    **fields: str,
) -> Handoff:
    """A handoff with `text` in every user-typed field (override single fields by name)."""
    roles = ("champion", None, "influencer", "end_user", "unknown")
    name = fields.get("stakeholder_name", text)
    title = fields.get("stakeholder_title", text)
    people = tuple(Stakeholder(name, title, roles[i % len(roles)]) for i in range(stakeholders))
    q = qualification(
        company=fields.get("company", text),
        meeting_at=MEETING_AT,
        contact_name=fields.get("contact_name", text),
        contact_title=fields.get("contact_title", text),
        pain=fields.get("pain", text),
        next_steps=fields.get("next_steps", text),
        notes=fields.get("notes", text),
        stakeholders=people,
        contact_email=fields.get("contact_email", text),
        website=fields.get("website", text),
        current_solution=fields.get("current_solution", text),
        trigger=fields.get("trigger", text),
        intent_signals=("demo_request", "pricing_visits"),
    )
    decided: dict[str, Any] = {}
    if status in (Status.ACCEPTED, Status.REJECTED):
        decided = {"decided_by": AE, "decided_at": NOW}
    elif status is Status.WITHDRAWN:
        decided = {"decided_by": SDR, "decided_at": NOW}
    if status is Status.REJECTED or dispute == "overturned":
        decided.update(rejection_reason="bad_fit", rejection_comment=comment)
    if dispute is not None:
        decided.update(dispute_status=dispute, dispute_case=text, disputed_at=NOW)
    if dispute in ("upheld", "overturned"):
        decided.update(dispute_resolved_by=MGR, dispute_resolved_at=NOW)
    if dispute == "overturned":
        decided.update(reassigned_ae_id=AE, reassigned_by=MGR, reassigned_at=NOW)
    posted = status is not Status.SUBMITTED
    return Handoff(
        id=handoff_id,
        team_id="T0TEAM",
        sdr_id=SDR,
        status=status,
        qualification=q,
        rubric_version="2026.1",
        submitted_at=NOW,
        # The persona reason quotes a stakeholder's name: user text inside the score too.
        score=score(replace(q, contact_role="end_user"), _config()),
        edited_at=NOW,
        brief_channel=CHANNEL if posted else None,
        brief_ts="1700000000.000100" if posted else None,
        **decided,
    )


def wizard_answers(text: str) -> dict[str, Any]:
    """Hostile text in every typed answer of every step, and in three people."""
    typed = {
        f.value: text
        for f in (
            Field.COMPANY,
            Field.WEBSITE,
            Field.NOTES,
            Field.CONTACT_NAME,
            Field.CONTACT_TITLE,
            Field.CONTACT_EMAIL,
            Field.PAIN,
            Field.CURRENT_SOLUTION,
            Field.TRIGGER,
            Field.NEXT_STEPS,
        )
    }
    people = [{"name": text, "title": text, "role": "champion"}] * 3
    return {
        **typed,
        Field.MEETING_AT.value: int(MEETING_AT.timestamp()),
        Field.INDUSTRY.value: "software",
        Field.STAKEHOLDERS.value: people,
        Field.INTENT_SIGNALS.value: ["demo_request"],
    }
