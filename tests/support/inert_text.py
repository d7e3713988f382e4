"""Reading rendered Block Kit back, and the checks every rendering of user text must pass.

Inert: no user-typed mention, broadcast or link survives in mrkdwn, and no entity is raw or
cut in half (https://docs.slack.dev/messaging/formatting-message-text#escaping-text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from slack_standin import check_blocks
from tests.support.hostile_text import AE, CHANNEL, LIVE_SYNTAX, MGR, SDR

# The brief's permalink, as Slack's chat.getPermalink gives it: the bot's own link.
PERMALINK = "https://acme.slack.com/archives/C1/p1"
# Everything the app itself may put between < and >: dates, the known people and channel,
# the permalink (its label is user text: Slack ends the URL at the first |, so a | in the
# label is only shown).
LEGIT_TOKEN = re.compile(
    rf"<!date\^\d+\^[^<>|]*\|[^<>|]*>|<@(?:{SDR}|{AE}|{MGR})>|<#{CHANNEL}>"
    rf"|<{re.escape(PERMALINK)}\|[^<>]*>",
)
# An & that does not start one of the three entities Slack knows is raw or a cut entity.
BAD_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")
ENTITY = re.compile(r"&(amp|lt|gt);")

# What a person can type: mrkdwn's and Jinja's special characters often, any other character
# (but surrogates, which are not text, and NUL, which no Slack input sends) too.
USER_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("<>&\"'\\{}%|!@#^*_~`\n\r\t ")),
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    ),
    max_size=3000,
)


def text_objects(node: Any, kind: str) -> Iterator[str]:
    """Every text of a text object of type `kind` anywhere below `node`."""
    if isinstance(node, list):
        for item in node:
            yield from text_objects(item, kind)
    elif isinstance(node, dict):
        if node.get("type") == kind and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from text_objects(value, kind)


def message_mrkdwn(message: dict[str, Any]) -> list[str]:
    """All mrkdwn a message shows, including the top-level `text` (notification/fallback)."""
    return [message["text"], *text_objects(message["blocks"], "mrkdwn")]


def unescape(text: str) -> str:
    """Slack's reading of mrkdwn entities, in one pass (so `&amp;lt;` stays `&lt;`)."""
    return ENTITY.sub(lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


def assert_safe_mrkdwn(texts: list[str]) -> None:
    """No user-typed control sequence survives; no raw or half-cut entity."""
    for text in texts:
        for syntax in LIVE_SYNTAX:
            assert syntax not in text, f"live {syntax} in mrkdwn: {text[:120]!r}"
        leftover = LEGIT_TOKEN.sub("", text)
        assert "<" not in leftover, f"unescaped < in mrkdwn: {leftover[:120]!r}"
        assert ">" not in leftover, f"unescaped > in mrkdwn: {leftover[:120]!r}"
        bad = BAD_AMPERSAND.search(text)
        assert bad is None, f"raw or cut entity at {bad.start()}: {text[bad.start() :][:20]!r}"
        assert "&#" not in text and "&quot;" not in text, "HTML escaping is not mrkdwn escaping"


def assert_valid_message(message: Any) -> None:
    assert isinstance(message, dict)
    assert isinstance(message["text"], str) and message["text"]
    assert check_blocks(message["blocks"], "message") == []


def assert_inert_message(message: Any) -> None:
    """A valid message whose every mrkdwn text is inert."""
    assert_valid_message(message)
    assert_safe_mrkdwn(message_mrkdwn(message))
