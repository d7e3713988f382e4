""" "Reassign…" in the managers' DM: pick the AE in a modal (the change happens on submit)."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.answer import clicked_handoff
from bot.ids import Action
from bot.payloads import user_id
from bot.services import Services
from bot.views import chase_refusal_text, notice, reassign_view
from handoff.lifecycle import Refusal


def register(app: App, services: Services) -> None:
    @app.action(Action.REASSIGN)
    def reassign_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff = clicked_handoff(services, body, respond)
        if handoff is None:
            return
        if actor not in services.settings.managers:
            refusal = Refusal("not_manager", handoff.status)
            respond(**notice(chase_refusal_text(refusal, actor)), replace_original=False)
            return
        services.client.views_open(trigger_id=body["trigger_id"], view=reassign_view(handoff))
