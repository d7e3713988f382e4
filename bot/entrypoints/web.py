"""The WSGI application: Slack at POST /slack/events, the booking tools' webhooks under
/webhooks/ (bot/entrypoints/intake.py), and the operator's GET /healthz, /readyz
(bot/entrypoints/health.py) and /metrics (bot/observability/exposition.py).

Slack's requests pass the guard (bot/entrypoints/guard.py) before Bolt, which verifies the
signature; no answer ever carries a traceback.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest, payload_utils
from sqlalchemy.exc import SQLAlchemyError

from bot.entrypoints import payload_shape
from bot.entrypoints.guard import (
    StartResponse,
    WsgiApp,
    guard,
    no_tracebacks,
    reply,
    slack_headers,
)
from bot.entrypoints.health import Operations, readiness
from bot.entrypoints.intake import Intake
from bot.observability import exposition, logs, telemetry
from storage.db import ping

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
STARTED = "handoff.started"  # the environ key holding when the request arrived
# A request id a proxy in front may have set; anything else is replaced by one of ours.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def create_wsgi(
    app: App, engine: Any, *, intake: Intake | None = None, ops: Operations | None = None
) -> WsgiApp:
    """`ops` serves /readyz and /metrics; without it (some tests, the demo) they are 404."""
    slack = guard(_SlackHandler(app, path=EVENTS_PATH), check=slack_headers)
    metrics_endpoint = (
        exposition.metrics_app(ops.db, ops.now, ops.metrics_token) if ops is not None else None
    )

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        environ[STARTED] = time.monotonic()
        logs.start(request_id=_request_id(environ), path=path)
        if path == EVENTS_PATH:
            if method != "POST":
                return reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return slack(environ, start_response)
        webhook = intake.route(path) if intake is not None else None
        if webhook is not None:
            if method != "POST":
                return reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return webhook(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            try:
                ping(engine)
            except SQLAlchemyError as exc:
                log.warning("health check: database does not answer: %s", exc)
                return reply(start_response, "503 Service Unavailable", {"ok": False})
            return reply(start_response, "200 OK", {"ok": True})
        if ops is not None and path == "/readyz" and method in ("GET", "HEAD"):
            ready, body = readiness(ops)
            return reply(start_response, "200 OK" if ready else "503 Service Unavailable", body)
        if metrics_endpoint is not None and path == exposition.PATH and method in ("GET", "HEAD"):
            return metrics_endpoint(environ, start_response)
        return reply(start_response, "404 Not Found", {"error": "not found"})

    return no_tracebacks(wsgi)


class _SlackHandler(SlackRequestHandler):
    """Bolt reads the body before it checks the signature, and raises on one it cannot read
    (cut JSON, a payload that is not an object), or later on one of a shape Slack never sends,
    even inside its own error handling. Either is the sender's error: a 400, found here by
    reading the body as Bolt will and checking its shape (bot/entrypoints/payload_shape.py)."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            bolt_request = BoltRequest(
                body=request.get_body(),
                query=request.query_string,
                headers=request.get_headers(),
            )
            wrong = payload_shape.problem(bolt_request.body)
            if wrong is None:
                for extract in _PAYLOAD_PARTS:
                    extract(bolt_request.body)
        except Exception as exc:  # any failure to parse untrusted input is the sender's
            wrong = f"unreadable ({type(exc).__name__})"
        if wrong is not None:
            log.info("refused 400: Slack payload: %s", wrong)
            return BoltResponse(status=400, body={"error": "unreadable payload"})
        response = self.app.dispatch(bolt_request)  # bot/listeners/log_fields.py binds its fields
        started = request.environ.get(STARTED)
        if response.status == 200 and started is not None:
            telemetry.ack(telemetry.ack_kind(bolt_request.body), time.monotonic() - started)
        return response


def _request_id(environ: dict[str, Any]) -> str:
    given = str(environ.get("HTTP_X_REQUEST_ID", ""))
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]


# What Bolt extracts from every body before it runs a listener or an error handler.
_PAYLOAD_PARTS = (
    payload_utils.to_options,
    payload_utils.to_shortcut,
    payload_utils.to_action,
    payload_utils.to_view,
    payload_utils.to_command,
    payload_utils.to_event,
    payload_utils.to_message,
    payload_utils.to_step,
)
