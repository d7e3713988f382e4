"""The WSGI application: Slack at POST /slack/events, health at GET /healthz."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.exc import SQLAlchemyError

from storage.db import ping

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def create_wsgi(app: App, engine: Any) -> WsgiApp:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH:
            if method != "POST":
                return _reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            try:
                ping(engine)
            except SQLAlchemyError as exc:
                log.warning("health check: database does not answer: %s", exc)
                return _reply(start_response, "503 Service Unavailable", {"ok": False})
            return _reply(start_response, "200 OK", {"ok": True})
        return _reply(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


def _reply(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
