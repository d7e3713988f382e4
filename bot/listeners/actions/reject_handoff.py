"""Reject on a brief or on Home: ask for the reason in a modal (the decision happens on submit)."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_handoff, tell
from bot.payloads import user_id
from bot.roles import RolesUnknown
from bot.services import Services
from bot.surfaces.modals import reject_view
from bot.surfaces.refusals import ROLES_UNKNOWN, refusal_text
from handoff.lifecycle import decision_refusal


def register(app: App, services: Services) -> None:
    @app.action(Action.REJECT)
    def reject_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff = clicked_handoff(services, body, respond)
        if handoff is None:
            return
        try:
            is_ae = services.roles.is_ae(actor)
        except RolesUnknown:
            tell(services, body, respond, ROLES_UNKNOWN)
            return
        refusal = decision_refusal(handoff, actor, is_ae=is_ae)
        if refusal:
            tell(services, body, respond, refusal_text(refusal, actor))
            return
        services.client.views_open(
            trigger_id=body["trigger_id"], view=reject_view(handoff, services.config)
        )
