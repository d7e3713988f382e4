"""POST /slack/events with whatever a hostile client can send: never a 5xx, never a traceback.

Random bytes, any Content-Type, Content-Length huge, negative, not a number or not the body's,
timestamps stale or absurd, signatures missing or of another secret, cut JSON inside correctly
signed form bodies, payload types Slack never sends. Sent over a socket as given.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.raw_http import raw_request, signed
from tests.support.slack_app import SECRET, Harness

PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# What may stand in a header value at all (no CR or LF: that would be another header).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
TYPES = st.sampled_from(
    [
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "block_suggestion",
        "event_callback",
        "url_verification",
        "app_rate_limited",
        "interactive_message",
        "dialog_submission",
        "workflow_step_edit",
    ]
)
PAYLOADS = st.builds(
    lambda kind, extra: {**extra, "type": kind},
    st.one_of(TYPES, st.text(max_size=20)),
    st.dictionaries(
        st.sampled_from(["user", "team", "actions", "view", "event", "callback_id", "token"]),
        JSON_VALUES,
        max_size=4,
    ),
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A body and the Content-Type it would come with, or any other."""
    kind = draw(st.sampled_from(["bytes", "cut-form", "form", "json", "cut-json", "command"]))
    if kind == "bytes":
        body = draw(st.binary(max_size=2048))
    elif kind in ("cut-form", "form"):
        payload = json.dumps(draw(PAYLOADS))
        if kind == "cut-form":
            payload = payload[: draw(st.integers(0, max(len(payload) - 1, 0)))]
        body = urlencode({"payload": payload}).encode()
    elif kind in ("json", "cut-json"):
        body = json.dumps(draw(PAYLOADS)).encode()
        if kind == "cut-json":
            body = body[: draw(st.integers(0, max(len(body) - 1, 0)))]
    else:
        fields = draw(st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=6))
        fields.setdefault("command", draw(st.sampled_from(["/handoff", "/other", ""])))
        body = urlencode(fields).encode()
    natural = {"form": "application/x-www-form-urlencoded", "json": "application/json"}
    content_type = draw(
        st.one_of(
            st.just(natural.get(kind.removeprefix("cut-"), "application/x-www-form-urlencoded")),
            st.none(),
            st.sampled_from(["application/json", "text/plain", "multipart/form-data; boundary=x"]),
            HEADER_TEXT,
        )
    )
    return body, content_type


LENGTHS = st.one_of(
    st.sampled_from(["exact", "exact", "absent", "shorter", "longer"]),
    st.integers(-(10**6), 10**20).map(str),
    HEADER_TEXT,
)
TIMESTAMPS = st.one_of(
    st.sampled_from(["now", "now", "absent"]),
    st.integers(-600, 600).map(lambda off: str(int(time.time()) + off)),
    st.integers(-(10**15), 10**15).map(str),
    HEADER_TEXT,
)
SIGNATURES = st.one_of(st.sampled_from(["right", "right", "other-secret", "absent"]), HEADER_TEXT)


def _headers(body: bytes, content_type: str | None, length: str, at: str, sig: str) -> list[Any]:
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    sizes = {"exact": len(body), "shorter": max(len(body) - 1, 0), "longer": len(body) + 10}
    if length in sizes:
        headers.append(("Content-Length", str(sizes[length])))
    elif length != "absent":
        headers.append(("Content-Length", length))
    timestamp = str(int(time.time())) if at == "now" else at
    if at != "absent":
        headers.append(("X-Slack-Request-Timestamp", timestamp))
    if sig in ("right", "other-secret"):
        secret = SECRET if sig == "right" else "another-apps-secret"
        stamp = timestamp if timestamp.isdigit() else "0"
        sig = dict(signed(body, secret, at=int(stamp)))["X-Slack-Signature"]
    if sig != "absent":
        headers.append(("X-Slack-Signature", sig))
    return headers


@PROPERTY
@given(body=bodies(), length=LENGTHS, at=TIMESTAMPS, sig=SIGNATURES)
def test_no_request_gets_a_server_error_or_a_traceback(
    shared_harness: Harness,
    body: tuple[bytes, str | None],
    length: str,
    at: str,
    sig: str,
) -> None:
    content, content_type = body
    headers = _headers(content, content_type, length, at, sig)
    reply = raw_request(shared_harness.url + "/slack/events", headers, content)
    event(f"HTTP {reply.status}")
    assert reply.status < 500, (reply.status, reply.body[:200])
    assert b"Traceback" not in reply.body and b'File "' not in reply.body, reply.body[:200]
