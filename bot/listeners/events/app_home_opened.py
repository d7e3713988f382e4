"""App Home: a "New handoff" button, drafts to resume and the SDR's recent handoffs."""

from typing import Any

from slack_bolt import Ack, App

from bot.delivery.home_updates import publish_home
from bot.services import Services


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def app_home_opened(ack: Ack, event: dict[str, Any], body: dict[str, Any]) -> None:
        ack()
        if event.get("tab") != "home":
            return
        publish_home(services, str(body.get("team_id", "")), str(event["user"]))
