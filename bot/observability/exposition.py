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

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from bot.observability import multiproc
from bot.observability.collector import DatabaseCollector
from storage.uow import Database

log = logging.getLogger(__name__)

PATH = "/metrics"
StartResponse = Callable[..., Any]


def scrape(db: Database, now: Callable[[], datetime], accept: str = "") -> tuple[bytes, str]:
    """(body, content type): the text format, or OpenMetrics when the scraper asks for it."""
    registry = CollectorRegistry(auto_describe=False)
    if multiproc.enabled():
        from prometheus_client import multiprocess

        recorded: Collector = multiprocess.MultiProcessCollector(None)
    else:
        recorded = REGISTRY
    registry.register(_Recorded(recorded))
    registry.register(DatabaseCollector(db, now))
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type


class _Recorded(Collector):
    """What this process (or every process) recorded; when reading it fails, the scrape
    still says what the database says."""

    def __init__(self, source: Collector) -> None:
        self.source = source

    def collect(self) -> Iterable[Metric]:
        try:
            return list(self.source.collect())
        except Exception:
            log.exception("metrics: could not read the recorded values")
            return []


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
        body, content_type = scrape(db, now, str(environ.get("HTTP_ACCEPT", "")))
        start_response(
            "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        )
        return [body]

    return serve


def serve_metrics(
    db: Database, now: Callable[[], datetime], token: str | None, port: int
) -> Any | None:
    """GET /metrics on its own port, in threads of this process (the worker, Socket Mode:
    processes without a web server of their own). The running server; None when `port` is
    0 (off) or taken: the process does its work without metrics rather than not at all."""
    from bot.demo.localserver import LocalServer

    if port == 0:
        return None

    endpoint = metrics_app(db, now, token)

    def route(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return endpoint(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    try:
        server = LocalServer(route, host="0.0.0.0", port=port)
    except OSError as exc:
        log.error("metrics: cannot serve %s on port %d (%s); carrying on without", PATH, port, exc)
        return None
    server.__enter__()
    log.info("metrics: serving %s on port %d", PATH, port)
    return server
