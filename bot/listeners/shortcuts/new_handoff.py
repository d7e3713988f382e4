"""The global shortcut opens an empty form; the message shortcut puts the message in Notes."""

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Callback
from bot.listeners.wizard_flow import open_form
from bot.payloads import team_id, user_id
from bot.services import Services
from handoff.model import Field


def register(app: App, services: Services) -> None:
    @app.shortcut({"type": "shortcut", "callback_id": Callback.NEW_SHORTCUT})
    def new_handoff(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        open_form(
            services,
            trigger_id=body["trigger_id"],
            team_id=team_id(body),
            user_id=user_id(body),
            initial={},
        )

    @app.shortcut({"type": "message_action", "callback_id": Callback.MESSAGE_SHORTCUT})
    def handoff_from_message(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = body.get("message") or {}
        open_form(
            services,
            trigger_id=body["trigger_id"],
            team_id=team_id(body),
            user_id=user_id(body),
            initial={Field.NOTES: str(message.get("text") or "")},
        )
