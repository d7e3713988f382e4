"""The App Home's "New handoff" button."""

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Action
from bot.listeners.wizard_flow import open_form
from bot.payloads import team_id, user_id
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.action(Action.NEW_HANDOFF)
    def new_from_home(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        open_form(
            services,
            trigger_id=body["trigger_id"],
            team_id=team_id(body),
            user_id=user_id(body),
            initial={},
        )
