"""Cheap refusals in front of a WSGI app, and no traceback in any answer.

`guard` refuses what is plainly not for the app before the app (or anything costly) runs:
a body over the limit (from Content-Length, before reading it), a request whose headers fail
the endpoint's own check (before reading the body), a body that is not UTF-8. What passes
reaches the app with the body already read, so the app never reads more than the limit.

`no_tracebacks` answers 500 with a short JSON body when the app raises; the traceback goes
to the log only.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
# Slack's documented window for X-Slack-Request-Timestamp, either way of local time.
SLACK_MAX_AGE_SECONDS = 5 * 60

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Refusal:
    status: str
    error: str


HeaderCheck = Callable[[Mapping[str, Any]], Refusal | None]


def guard(
    app: WsgiApp,
    *,
    check: HeaderCheck,
    max_body: int = MAX_BODY,
    refused: Callable[[Refusal], None] | None = None,
) -> WsgiApp:
    """`app` behind the cheap refusals; `check` reads the headers (the WSGI environ), and
    `refused` hears of each refusal (to count it)."""

    def guarded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        refusal = _length_refusal(length, max_body) or check(environ)
        if refusal is None:
            body = _read_body(environ, int(length) if length else None, max_body)
            refusal = _body_refusal(body, max_body)
        if refusal is not None:
            log.info("refused %s: %s", refusal.status, refusal.error)
            if refused is not None:
                refused(refusal)
            return reply(start_response, refusal.status, {"error": refusal.error})
        inner = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return app(inner, start_response)

    return guarded


def _length_refusal(length: str, max_body: int) -> Refusal | None:
    if not length:
        return None
    if not length.isascii() or not length.isdigit():
        return Refusal("400 Bad Request", "Content-Length is not a number")
    if int(length) > max_body:
        return Refusal("413 Content Too Large", f"the body is over {max_body} bytes")
    return None


def _read_body(environ: Mapping[str, Any], length: int | None, max_body: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length is None:
        # Without a length, only a stream the server ends (gunicorn's, chunked) may be read,
        # and no further than one byte past the limit: enough to know it is too big.
        if not environ.get("wsgi.input_terminated"):
            return b""
        length = max_body + 1
    chunks = []
    left = length
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _body_refusal(body: bytes, max_body: int) -> Refusal | None:
    if len(body) > max_body:
        return Refusal("413 Content Too Large", f"the body is over {max_body} bytes")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal("400 Bad Request", "the body is not UTF-8")
    return None


def slack_headers(
    environ: Mapping[str, Any], *, now: Callable[[], float] = time.time
) -> Refusal | None:
    """Slack signs every request: no signature, or a timestamp outside Slack's five minutes,
    cannot pass the signature check, so it is refused before the body is read."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not environ.get("HTTP_X_SLACK_SIGNATURE"):
        return Refusal("401 Unauthorized", "X-Slack-Signature is missing")
    if not timestamp:
        return Refusal("401 Unauthorized", "X-Slack-Request-Timestamp is missing")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return Refusal("401 Unauthorized", "X-Slack-Request-Timestamp is not a Unix time")
    if abs(now() - int(timestamp)) > SLACK_MAX_AGE_SECONDS:
        return Refusal("401 Unauthorized", "X-Slack-Request-Timestamp is more than 5 minutes off")
    return None


def no_tracebacks(app: WsgiApp) -> WsgiApp:
    """Any exception: 500 and a short JSON body; the traceback is logged, never sent."""

    def safe(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            result = app(environ, start_response)
            try:
                # Read here, so an error while producing the body is caught too.
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            log.exception("%s %s failed", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            return reply(
                start_response,
                "500 Internal Server Error",
                {"error": "internal error"},
                exc_info=sys.exc_info(),
            )

    return safe


def reply(
    start_response: StartResponse, status: str, payload: dict[str, Any], exc_info: Any = None
) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    if exc_info is None:
        start_response(status, headers)
    else:
        start_response(status, headers, exc_info)
    return [body]
