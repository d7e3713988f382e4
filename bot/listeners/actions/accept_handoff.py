"""Accept on a brief or on Home: compare-and-set in the database, then the brief, the SDR
and the Homes concerned."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.answer import GONE, tell
from bot.delivery import notify_sdr, sync_brief
from bot.home import refresh_for
from bot.ids import Action
from bot.payloads import button_id, user_id
from bot.services import Services
from bot.views import refusal_text
from handoff.lifecycle import UnknownHandoff, accept


def register(app: App, services: Services) -> None:
    @app.action(Action.ACCEPT)
    def accept_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff_id = button_id(body)
        try:
            if handoff_id is None:
                raise UnknownHandoff(handoff_id)
            with services.unit() as repo:
                outcome = accept(repo, handoff_id, actor=actor, now=services.now())
        except UnknownHandoff:
            tell(services, body, respond, GONE)
            return
        if outcome.refusal:
            tell(services, body, respond, refusal_text(outcome.refusal, actor))
            return
        sync_brief(services, handoff_id)
        notify_sdr(services, handoff_id)
        refresh_for(services, handoff_id, actor)
