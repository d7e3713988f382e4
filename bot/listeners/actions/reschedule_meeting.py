""" "Rescheduled…" in the AE's DM: ask for the new date in a modal (recorded on submit)."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_handoff, tell
from bot.payloads import user_id
from bot.services import Services
from bot.surfaces.modals import reschedule_view
from bot.surfaces.refusals import refusal_text
from handoff.lifecycle import outcome_refusal


def register(app: App, services: Services) -> None:
    @app.action(Action.OUTCOME_RESCHEDULED)
    def reschedule_meeting(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff = clicked_handoff(services, body, respond)
        if handoff is None:
            return
        refusal = outcome_refusal(handoff, actor, services.settings.managers)
        if refusal:
            tell(services, body, respond, refusal_text(refusal, actor))
            return
        services.client.views_open(trigger_id=body["trigger_id"], view=reschedule_view(handoff))
