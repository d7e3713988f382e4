"""`/handoff [company]`: open the qualification form, prefilled with the company."""

from typing import Any

from slack_bolt import Ack, App

from bot.ids import COMMAND
from bot.listeners.wizard_flow import open_form
from bot.services import Services
from handoff.model import Field


def register(app: App, services: Services) -> None:
    @app.command(COMMAND)
    def handoff_command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        open_form(
            services,
            trigger_id=command["trigger_id"],
            team_id=command.get("team_id", ""),
            user_id=command["user_id"],
            initial={Field.COMPANY: command.get("text") or ""},
        )
