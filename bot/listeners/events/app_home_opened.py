"""App Home: a "New handoff" button, drafts to resume and the SDR's recent handoffs."""

from typing import Any

from slack_bolt import Ack, App

from bot.listeners.transitions import commit_effects
from bot.services import Services
from handoff.effects import homes


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def app_home_opened(ack: Ack, event: dict[str, Any], body: dict[str, Any]) -> None:
        ack()
        if event.get("tab") != "home":
            return
        commit_effects(services, homes(str(body.get("team_id", "")), [str(event["user"])]))
