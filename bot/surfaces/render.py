"""Block Kit from Jinja2 templates: valid JSON by construction, user text escaped.

A template builds its blocks as Jinja lists and dicts and ends in one `tojson`,
so no value can break the JSON and no comma is managed by hand. User text goes
through `mrkdwn` (mrkdwn fields) or `plain` (plain_text fields) first, so it
can never turn into a mention or a link.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import templates

TEMPLATE_DIR = Path(templates.__file__).parent
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")


def escape_mrkdwn(text: str) -> str:
    """Escape the three control characters of Slack mrkdwn, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in … when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def mrkdwn(text: object, limit: int | None = None) -> str:
    """User text made safe for a mrkdwn field, clipped after escaping.

    The cut never splits an entity such as `&amp;`, which would show as `&am`.
    """
    escaped = escape_mrkdwn("" if text is None else str(text))
    return escaped if limit is None else cap(escaped, limit)


def cap(safe: str, limit: int) -> str:
    """Clip text that is already mrkdwn-safe, never cutting an entity in half."""
    if len(safe) <= limit:
        return safe
    head = _ENTITY_TAIL.sub("", safe[: max(limit - 1, 0)])
    return head.rstrip() + "…"


def quote(text: object, limit: int) -> str:
    """User text as a mrkdwn block quote, every line prefixed so the quote holds.

    The limit counts the prefixes too: many short lines must not blow past it.
    """
    body = escape_mrkdwn("" if text is None else str(text))
    quoted = "\n".join("&gt; " + line if line else "&gt;" for line in body.split("\n"))
    return cap(quoted, limit)


def plain(text: object, limit: int) -> str:
    """User text for a plain_text field: shown literally by Slack, only clipped."""
    return clip("" if text is None else str(text), limit)


def slack_date(at: datetime, tokens: str = "{date_short_pretty} at {time}") -> str:
    """A date each reader sees in their own time zone, with a UTC fallback."""
    at = at.astimezone(UTC)
    fallback = at.strftime("%b %d, %Y %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{tokens}|{fallback}>"


def user(user_id: str | None) -> str:
    """A mention of a Slack user id; anything that is not an id is shown escaped."""
    if user_id and _SLACK_ID.match(user_id):
        return f"<@{user_id}>"
    return escape_mrkdwn(user_id or "someone")


def channel(channel_id: str | None) -> str:
    if channel_id and _SLACK_ID.match(channel_id):
        return f"<#{channel_id}>"
    return "the channel"


def safe_link(link: str) -> str:
    """`link` if it is a plain https URL that cannot break a mrkdwn link, else ""."""
    return link if link.startswith("https://") and "|" not in link and ">" not in link else ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(
        mrkdwn=mrkdwn,
        cap=cap,
        plain=plain,
        quote=quote,
        slack_date=slack_date,
        user=user,
        channel=channel,
    )
    return env


def render(name: str, **context: Any) -> Any:
    """Render a template and parse it; a broken template raises instead of dropping blocks."""
    text = environment().get_template(name).render(**context)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"template {name} produced invalid JSON: {exc}") from exc
