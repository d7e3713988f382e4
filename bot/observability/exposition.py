"""GET /metrics: the Prometheus text format, optionally behind a bearer token.

Built afresh per scrape: the values this process (or, under gunicorn, every process)
recorded, and the database's figures (bot/observability/collector.py).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from bot.observability import multiproc
from bot.observability.collector import DatabaseCollector
from storage.uow import Database

log = logging.getLogger(__name__)

PATH = "/metrics"
StartResponse = Callable[..., Any]


def scrape(db: Database, now: Callable[[], datetime]) -> bytes:
    if multiproc.enabled():
        from prometheus_client import multiprocess

        recorded = CollectorRegistry()
        multiprocess.MultiProcessCollector(recorded)
    else:
        recorded = REGISTRY
    figures = CollectorRegistry()
    figures.register(DatabaseCollector(db, now))
    try:
        values = generate_latest(recorded)
    except Exception:  # say what can still be said: the database's figures
        log.exception("metrics: could not read the recorded values")
        values = b""
    return values + generate_latest(figures)


def authorized(environ: dict[str, Any], token: str | None) -> bool:
    if not token:
        return True
    given = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, value = given.partition(" ")
    # Constant time: how much of a guess matched must not show in how long the answer takes.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


def metrics_app(
    db: Database, now: Callable[[], datetime], token: str | None
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not authorized(environ, token):
            body = b'{"error": "unauthorized"}'
            start_response(
                "401 Unauthorized",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body))),
                    ("WWW-Authenticate", 'Bearer realm="metrics"'),
                ],
            )
            return [body]
        body = scrape(db, now)
        start_response(
            "200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))]
        )
        return [body]

    return serve


def serve_metrics(db: Database, now: Callable[[], datetime], token: str | None, port: int) -> Any:
    """GET /metrics on its own port, in threads of this process (the worker, Socket Mode:
    processes without a web server of their own). Returns the running server."""
    from bot.demo.localserver import LocalServer

    endpoint = metrics_app(db, now, token)

    def route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return endpoint(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    server = LocalServer(route, host="0.0.0.0", port=port)
    server.__enter__()
    log.info("metrics: serving %s on port %d", PATH, port)
    return server
