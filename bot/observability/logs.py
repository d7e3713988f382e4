"""Logging: one JSON object per line in production, today's readable lines for development.

Every record goes through the standard library (ours, Bolt's, gunicorn's, SQLAlchemy's), so
one formatter decides how all of them look. The fields of the request or job in hand
(`FIELDS`) live in context variables: bound once where the work starts, and carried into
the threads it hands work to by `ContextExecutor`.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import structlog

JSON, TEXT = "json", "text"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What a record may carry beyond its message: bound per request or job, or passed as
# `extra=`. Nothing else (a stray `extra` holding a payload) reaches the output.
FIELDS = (
    "request_id",
    "kind",
    "path",
    "team",
    "user",
    "handoff_id",
    "slack_method",
    "slack_error",
    "job",
    "outbox_kind",
    "tool",
    "http_method",
    "status",
    "duration_ms",
)
# Token-shaped text, in case one ever reaches a message: bot, user and app-level tokens.
_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")

P = ParamSpec("P")
T = TypeVar("T")


def configure(fmt: str, *, level: int = logging.WARNING) -> None:
    """Send every record to standard error in `fmt` (JSON or TEXT)."""
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter() if fmt == JSON else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning is a record like any other


def json_formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.ExtraAdder(allow=FIELDS),
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message"),
            _no_tokens,
            structlog.processors.JSONRenderer(),
        ],
    )


def _no_tokens(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str) and ("xox" in value or "xapp-" in value):
            event[key] = _TOKEN.sub(r"\1-***", value)
    return event


def bind(**fields: object) -> None:
    """Add fields to every record of the work in hand (None values are left out)."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in fields.items() if v is not None})


def unbind(*names: str) -> None:
    structlog.contextvars.unbind_contextvars(*names)


def start(**fields: object) -> None:
    """A new request or job: forget what the previous one on this thread bound."""
    structlog.contextvars.clear_contextvars()
    bind(**fields)


@contextmanager
def scope(**fields: object) -> Iterator[None]:
    """Fields for the block only; whatever the block binds is forgotten after it too."""
    saved = structlog.contextvars.get_contextvars()
    bind(**fields)
    try:
        yield
    finally:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**saved)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run with the fields of whoever submitted them (a plain
    pool's threads keep their own, and would log the fields of an earlier task)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(functools.partial(context.run, fn, *args, **kwargs))
