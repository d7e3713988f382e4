"""GET /healthz (the process and its database answer) and GET /readyz (it is fit to serve).

/healthz stays cheap: one `SELECT 1`. /readyz also checks that the database is at this
version's migration and that the outbox is keeping up: its longest-waiting due row is
younger than HANDOFF_READY_OUTBOX_AGE. It answers 200 or 503 with a JSON body naming each
check and which failed, for a load balancer, a deploy and an alert to act on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.services import Services
from storage.db import ping
from storage.migrate import head, revision_of
from storage.uow import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Operations:
    """What the operator's endpoints read: the database, the clock, their settings."""

    db: Database
    now: Callable[[], datetime]
    metrics_token: str | None
    outbox_limit: timedelta
    head: str | None

    @classmethod
    def of(cls, services: Services) -> Operations:
        settings = services.settings
        return cls(
            services.db,
            services.now,
            settings.metrics_token,
            timedelta(seconds=settings.ready_outbox_age),
            head(),
        )


def readiness(ops: Operations) -> tuple[bool, dict[str, Any]]:
    """(ready, the JSON body): every check with its verdict, and the names of those failed."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        ping(ops.db.engine)
    except SQLAlchemyError as exc:
        log.warning("readiness: database does not answer: %s", exc)
        checks["database"] = {"ok": False, "detail": "the database does not answer"}
        return False, {"ok": False, "failed": ["database"], "checks": checks}
    checks["database"] = {"ok": True}
    checks["migrations"] = _migrations(ops)
    checks["outbox"] = _outbox(ops)
    failed = [name for name, check in checks.items() if not check["ok"]]
    return not failed, {"ok": not failed, "failed": failed, "checks": checks}


def _migrations(ops: Operations) -> dict[str, Any]:
    try:
        at = revision_of(ops.db.engine)
    except SQLAlchemyError as exc:
        log.warning("readiness: cannot read the migration revision: %s", exc)
        return {"ok": False, "detail": "cannot read the revision"}
    check: dict[str, Any] = {"ok": at == ops.head, "database": at, "code": ops.head}
    if at != ops.head:
        check["detail"] = "run `handoff db upgrade`" if at else "not migrated"
    return check


def _outbox(ops: Operations) -> dict[str, Any]:
    now = ops.now()
    try:
        with ops.db.unit(read_only=True) as uow:
            waiting = uow.outbox.waiting(now=now)
    except SQLAlchemyError as exc:
        log.warning("readiness: cannot read the outbox: %s", exc)
        return {"ok": False, "detail": "cannot read the outbox"}
    age = (now - waiting.oldest_due).total_seconds() if waiting.oldest_due else 0.0
    limit = ops.outbox_limit.total_seconds()
    check: dict[str, Any] = {
        "ok": age <= limit,
        "pending": waiting.pending,
        "oldest_due_seconds": round(max(age, 0.0)),
        "limit_seconds": round(limit),
    }
    if age > limit:
        check["detail"] = "the outbox is not being sent: is a sweep running?"
    return check
