"""Slack retries an event it thinks was lost (`X-Slack-Retry-Num`): each event_id is handled
once, and a retry of a handled one is acked with no effect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.payloads import team_id
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and isinstance(event_id, str) and event_id:
            with services.uow() as uow:
                first = uow.events.first_time(team_id(body), event_id, now=services.now())
            if not first:
                return BoltResponse(status=200, body="")
        return next()
