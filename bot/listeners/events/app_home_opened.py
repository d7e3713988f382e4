"""App Home: a "New handoff" button and the SDR's recent handoffs."""

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.views import home_view


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def app_home_opened(ack: Ack, event: dict[str, Any], body: dict[str, Any]) -> None:
        ack()
        if event.get("tab") != "home":
            return
        user = str(event["user"])
        with services.unit() as repo:
            recent = repo.recent_for_user(str(body.get("team_id", "")), user)
        services.client.views_publish(user_id=user, view=home_view(recent, services.config))
