"""Accept on a brief or on Home: compare-and-set in the database, then the brief, the SDR
and the Homes concerned."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.delivery.brief_sync import notify_sdr, sync_brief
from bot.delivery.home_updates import refresh_for
from bot.ids import Action
from bot.listeners.clicks import clicked_transition
from bot.payloads import user_id
from bot.services import Services
from handoff.lifecycle import accept


def register(app: App, services: Services) -> None:
    @app.action(Action.ACCEPT)
    def accept_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff_id = clicked_transition(
            services,
            body,
            respond,
            lambda repo, hid: accept(repo, hid, actor=actor, now=services.now()),
        )
        if handoff_id is None:
            return
        sync_brief(services, handoff_id)
        notify_sdr(services, handoff_id)
        refresh_for(services, handoff_id, actor)
