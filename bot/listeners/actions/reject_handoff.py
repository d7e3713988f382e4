"""Reject on a brief: ask for the reason in a modal (the decision happens on submit)."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.payloads import button_id, user_id
from bot.services import Services
from bot.views import notice, refusal_text, reject_view
from handoff.lifecycle import decision_refusal


def register(app: App, services: Services) -> None:
    @app.action(Action.REJECT)
    def reject_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff_id = button_id(body)
        with services.unit() as repo:
            handoff = repo.get(handoff_id) if handoff_id else None
        if handoff is None:
            respond(**notice("That handoff no longer exists."), replace_original=False)
            return
        refusal = decision_refusal(handoff, actor)
        if refusal:
            respond(**notice(refusal_text(refusal, actor)), replace_original=False)
            return
        services.client.views_open(
            trigger_id=body["trigger_id"], view=reject_view(handoff, services.config)
        )
