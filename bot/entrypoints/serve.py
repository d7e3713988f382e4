"""`handoff serve`: the app behind gunicorn (threaded workers), or over Socket Mode.

Under gunicorn, metrics are kept in files every process writes to and whichever worker
answers GET /metrics adds up (bot/observability/multiproc.py); the folder is prepared
here, before prometheus_client is imported anywhere in the process.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.observability import multiproc
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_wsgi(settings: Settings) -> Any:
    from bot.app import build_app
    from bot.entrypoints.health import Operations
    from bot.entrypoints.intake import Intake
    from bot.entrypoints.web import create_wsgi
    from bot.services import make_services

    services = make_services(settings)
    app = build_app(services)
    services.roles.warm()
    return create_wsgi(app, services.engine, intake=Intake(services), ops=Operations.of(services))


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any], on_ready: Any) -> None:
        self.settings = settings
        self.options = options
        self.on_ready = on_ready
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.on_ready is not None:
            # when_ready runs once, in the master, after the socket is bound: the one
            # place a scheduler can live without every worker starting its own.
            self.cfg.set("when_ready", lambda _server: self.on_ready())

    def load(self) -> Any:
        # Runs in each worker after the fork, so no engine or socket is shared.
        return build_wsgi(self.settings)


def serve_http(
    settings: Settings, *, workers: int, threads: int, scheduler: bool, json_logs: bool = False
) -> None:
    folder = multiproc.prepare(settings.metrics_dir)
    log.info("metrics: gunicorn's processes share them in %s", folder)
    on_ready = None
    if scheduler:
        from bot.jobs.scheduler import start_background

        on_ready = lambda: start_background(settings, at_start=False)  # noqa: E731
    options = {
        "bind": f"0.0.0.0:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # Listeners finish their Slack calls after the ack; give them time to.
        "graceful_timeout": 20,
        "timeout": 30,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "handoff-web",
        "child_exit": multiproc.worker_exited,
        "on_exit": lambda _server: multiproc.remove_if_ours(folder, settings.metrics_dir),
    }
    if json_logs:
        options["logger_class"] = "bot.observability.gunicorn_logs.RootLogger"
    _Gunicorn(settings, options, on_ready).run()


def serve_socket_mode(settings: Settings, *, scheduler: bool) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_app
    from bot.observability.exposition import serve_metrics
    from bot.services import make_services

    services = make_services(settings)
    if scheduler:
        from bot.jobs.scheduler import start_background

        start_background(settings)
    serve_metrics(services.db, services.now, settings.metrics_token, settings.metrics_port)
    app = build_app(services)
    services.roles.warm()
    SocketModeHandler(app, settings.app_token).start()
