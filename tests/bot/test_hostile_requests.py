"""Requests that are plainly not Slack's are refused cheaply, before the body is read where the
headers already tell, and no answer ever carries a traceback."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import pytest

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.entrypoints.guard import MAX_BODY, guard, no_tracebacks, slack_headers
from bot.entrypoints.web import create_wsgi
from slack_standin import SlackSender
from tests.support.raw_http import raw_request, signed
from tests.support.slack_app import SECRET, Harness

FORM = "application/x-www-form-urlencoded"


def _events(h: Harness) -> str:
    return h.url + "/slack/events"


def test_an_oversized_body_is_refused_from_its_content_length(shared_harness: Harness) -> None:
    """The body is never sent: an answer at all proves the server did not wait for it."""
    headers = [("Content-Type", FORM), ("Content-Length", str(MAX_BODY + 1))]
    reply = raw_request(_events(shared_harness), headers + signed(b"", SECRET), end_body=False)
    assert reply.status == 413
    assert json.loads(reply.body) == {"error": f"the body is over {MAX_BODY} bytes"}


@pytest.mark.parametrize(
    ("drop", "timestamp", "error"),
    [
        ("X-Slack-Request-Timestamp", None, "X-Slack-Request-Timestamp is missing"),
        ("X-Slack-Signature", None, "X-Slack-Signature is missing"),
        (None, -6 * 60, "X-Slack-Request-Timestamp is more than 5 minutes off"),
        (None, +6 * 60, "X-Slack-Request-Timestamp is more than 5 minutes off"),
        (None, "yesterday", "X-Slack-Request-Timestamp is not a Unix time"),
    ],
)
def test_unsigned_or_stale_requests_are_refused_before_the_body(
    shared_harness: Harness, drop: str | None, timestamp: Any, error: str
) -> None:
    body = b"command=%2Fhandoff&text=Acme"
    at = int(time.time()) + timestamp if isinstance(timestamp, int) else None
    headers = [h for h in signed(body, SECRET, at=at) if h[0] != drop]
    if isinstance(timestamp, str):
        headers = [h for h in headers if h[0] != "X-Slack-Request-Timestamp"]
        headers.append(("X-Slack-Request-Timestamp", timestamp))
    headers += [("Content-Type", FORM), ("Content-Length", str(len(body)))]
    reply = raw_request(_events(shared_harness), headers, end_body=False)
    assert reply.status == 401
    assert json.loads(reply.body) == {"error": error}


def test_a_timestamp_inside_five_minutes_passes(shared_harness: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
    at = int(time.time()) - 4 * 60
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    reply = raw_request(_events(shared_harness), headers + signed(body, SECRET, at=at), body)
    assert reply.status == 200 and json.loads(reply.body) == {"challenge": "c"}


@pytest.mark.parametrize("length", ["-1", "12abc", "1e3", "0x10"])
def test_a_content_length_that_is_not_a_number_is_refused(
    shared_harness: Harness, length: str
) -> None:
    headers = [("Content-Type", FORM), ("Content-Length", length), *signed(b"", SECRET)]
    reply = raw_request(_events(shared_harness), headers, end_body=False)
    assert reply.status == 400
    assert json.loads(reply.body) == {"error": "Content-Length is not a number"}


def test_a_body_that_is_not_utf8_is_refused(shared_harness: Harness) -> None:
    body = b"payload=\xff\xfe"
    headers = [("Content-Type", FORM), ("Content-Length", str(len(body))), *signed(body, SECRET)]
    reply = raw_request(_events(shared_harness), headers, body)
    assert reply.status == 400
    assert json.loads(reply.body) == {"error": "the body is not UTF-8"}


@pytest.mark.parametrize(
    "body",
    [
        b'payload={"type":"block_actions","user":{"id":"U1"',
        b'{"type": "event_callback", "event": ',
        b"payload=5",
        b"[1, 2]",
        b'payload={"type":"block_actions","actions":null}',
        b'payload={"type":"block_actions","user":{"id":"U1"},"trigger_id":"t","actions":[]}',
        b'{"type":"event_callback","event":["app_home_opened"]}',
        b'payload={"type":"view_submission","user":{"id":"U1"},"trigger_id":"t","view":{"id":"V1",'
        b'"callback_id":7}}',
    ],
    ids=[
        "cut-form-payload",
        "cut-json",
        "payload-not-an-object",
        "json-not-an-object",
        "actions-null",
        "no-action",
        "event-a-list",
        "callback-id-a-number",
    ],
)
def test_a_signed_body_bolt_cannot_read_is_a_400(shared_harness: Harness, body: bytes) -> None:
    """Each of these raised inside Bolt (some inside its own error handling): a 500 before."""
    content_type = "application/json" if body[:1] in (b"{", b"[") else FORM
    reply = shared_harness.slack.send_raw(body, content_type)
    assert reply.status == 400
    assert json.loads(reply.body) == {"error": "unreadable payload"}


def test_a_signature_of_another_secret_is_refused_by_bolt(shared_harness: Harness) -> None:
    other = SlackSender(_events(shared_harness), "not-the-secret", shared_harness.standin)
    reply = other.slash_command("U0SDRANN", "/handoff", "Acme")
    assert reply.status == 401


def test_a_crash_is_a_short_500_and_the_traceback_is_only_logged(
    shared_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A health check whose engine is not an engine fails in a way nothing else handles."""
    app = build_app(shared_harness.services, verify_token=False)
    with LocalServer(create_wsgi(app, engine=object())) as server:
        reply = raw_request(server.url + "/healthz", [], method="GET")
    assert reply.status == 500
    assert json.loads(reply.body) == {"error": "internal error"}
    assert b"Traceback" not in reply.body and b"AttributeError" not in reply.body
    failed = [r for r in caplog.records if r.getMessage() == "GET /healthz failed"]
    assert len(failed) == 1 and failed[0].exc_info is not None


# --- the guard alone, for what a server may hand the app ---------------------------------------


class _Endless(io.RawIOBase):
    """A request body that never ends, counting what is read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "read without a bound"
        self.read_bytes += size
        return b"a" * size


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, bytes]:
    seen: list[str] = []
    body = b"".join(app(environ, lambda status, headers, *exc: seen.append(status)))
    return seen[-1], body


def _ok(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [environ["wsgi.input"].read()]


def _environ(**extra: Any) -> dict[str, Any]:
    now = str(int(time.time()))
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": now, "HTTP_X_SLACK_SIGNATURE": "v0=x", **extra}


def test_a_body_without_length_is_read_one_byte_past_the_limit_at_most() -> None:
    stream = _Endless()
    app = guard(_ok, check=slack_headers)
    status, _ = _call(app, _environ(**{"wsgi.input": stream, "wsgi.input_terminated": True}))
    assert status.startswith("413")
    assert stream.read_bytes == MAX_BODY + 1


def test_a_body_without_length_the_server_does_not_end_is_not_read() -> None:
    stream = _Endless()
    status, body = _call(guard(_ok, check=slack_headers), _environ(**{"wsgi.input": stream}))
    assert (status, body, stream.read_bytes) == ("200 OK", b"", 0)


def test_the_app_reads_the_body_it_was_sent() -> None:
    environ = _environ(**{"wsgi.input": io.BytesIO(b"abc"), "CONTENT_LENGTH": "3"})
    assert _call(guard(_ok, check=slack_headers), environ) == ("200 OK", b"abc")


def test_an_error_while_the_body_is_produced_is_caught_too() -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [])
        yield b"half"
        raise RuntimeError("secret detail")

    status, body = _call(no_tracebacks(broken), {})
    assert status.startswith("500") and b"secret detail" not in body


def test_a_refusal_logs_one_line_at_info(caplog: pytest.LogCaptureFixture) -> None:
    """Never a warning: a flood of junk stays out of the operator's way."""
    caplog.set_level(logging.INFO)
    status, _ = _call(guard(_ok, check=slack_headers), {"CONTENT_LENGTH": str(MAX_BODY + 1)})
    assert status.startswith("413")
    assert [r.levelno for r in caplog.records] == [logging.INFO]
