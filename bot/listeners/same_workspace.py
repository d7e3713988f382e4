"""Requests from outside the installed workspace are refused before any listener runs.

The installed workspace is the team auth.test names for the bot token (Bolt asks once and
keeps the answer). A request's team (`team.id`, or `team_id` on commands and events) and,
on a click or a modal, the person's own team (`user.team_id`: someone from another
organisation in a Slack Connect channel) must both be that team. A refused request changes
nothing and sends nothing: it is acked and logged, and a slash command's ack says why.
Org-wide (Enterprise Grid) installs are not supported.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.payloads import team_id, user_id
from bot.services import Services

log = logging.getLogger(__name__)

OUTSIDE = "This app works only for members of the workspace it is installed in."


def foreign_team(body: Mapping[str, Any], home: str) -> str | None:
    """The team that is not `home` in this request, or None when every team named is."""
    user = body.get("user")
    event = body.get("event")
    named = [
        team_id(body),
        user.get("team_id") if isinstance(user, dict) else None,
        event.get("user_team") if isinstance(event, dict) else None,
    ]
    return next((str(t) for t in named if t and t != home), None)


def register(app: App, services: Services) -> None:
    @app.middleware
    def same_workspace(context: BoltContext, body: dict[str, Any], next: Callable[[], Any]) -> Any:
        authorized = context.authorize_result
        home = authorized.team_id if authorized is not None else None
        outsider = foreign_team(body, home) if home else None
        if outsider is None:
            return next()
        log.warning(
            "refused a request from outside the workspace: team %s, user %s",
            outsider,
            user_id(body) or "-",
        )
        if body.get("command"):
            answer = {"response_type": "ephemeral", "text": OUTSIDE}
            return BoltResponse(
                status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
            )
        return BoltResponse(status=200, body="")
