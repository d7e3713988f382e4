"""The WSGI application: Slack at POST /slack/events, health at GET /healthz, and the
booking tools' webhooks under /webhooks/ (bot/entrypoints/intake.py).

Slack's requests pass the guard (bot/entrypoints/guard.py) before Bolt, which verifies the
signature; no answer ever carries a traceback.
"""

from __future__ import annotations

import logging
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
from bot.entrypoints.intake import Intake
from storage.db import ping

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def create_wsgi(app: App, engine: Any, *, intake: Intake | None = None) -> WsgiApp:
    slack = guard(_SlackHandler(app, path=EVENTS_PATH), check=slack_headers)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
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
        return self.app.dispatch(bolt_request)


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
