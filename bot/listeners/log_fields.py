"""Who and what a Slack request is about, bound to every record logged while serving it.

The first middleware, over HTTP and Socket Mode alike. Listeners run in a ContextExecutor
(bot/app.py), so their records, and the delivery pool's after them, carry the fields too.
Over HTTP the request id was bound when the request arrived (bot/entrypoints/web.py); a
Socket Mode envelope is handled on a pooled thread, so it starts afresh with one of its own.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.observability import logs, telemetry
from bot.payloads import metadata_id
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.middleware
    def log_fields(request: BoltRequest, next: Callable[[], Any]) -> Any:
        try:
            if request.mode == "socket_mode":
                logs.start(request_id=uuid.uuid4().hex[:16])
            view = request.body.get("view")
            logs.bind(
                kind=telemetry.ack_kind(request.body),
                team=request.context.team_id,
                user=request.context.user_id,
                # A modal about a handoff carries its id; a button's is bound by its listener.
                handoff_id=metadata_id(view, "handoff") if isinstance(view, dict) else None,
            )
        except Exception:  # the log's fields are never worth a failed request
            log.warning("could not read the request's log fields", exc_info=True)
        return next()
