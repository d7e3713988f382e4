"""gunicorn's records through the root logger, so they come out as JSON like every other.

gunicorn gives its error and access loggers handlers of their own, in its own text format.
With JSON logs those handlers are dropped and the records propagate; each access line is
one record with the request's method, path, status and duration as fields, and the fields
the app bound while serving it (the request id, team, user: the same thread logs it).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger


class RootLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = getattr(resp, "status_code", None)
        seconds = request_time.total_seconds()
        self.access_log.info(
            "%s %s %s",
            req.method,
            req.path,
            status,
            extra={
                "http_method": req.method,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
