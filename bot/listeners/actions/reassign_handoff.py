""" "Reassign…" in the managers' DM: pick the AE in a modal (the change happens on submit)."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_handoff
from bot.services import Services
from bot.surfaces.modals import reassign_view


def register(app: App, services: Services) -> None:
    @app.action(Action.REASSIGN)
    def reassign_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        handoff = clicked_handoff(services, body, respond, managers_only=True)
        if handoff is None:
            return
        services.client.views_open(trigger_id=body["trigger_id"], view=reassign_view(handoff))
