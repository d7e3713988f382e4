"""Accept on a brief or on Home: compare-and-set in the database, with the brief, the SDR's DM
and the Homes concerned written to the outbox in the same commit."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_transition, tell
from bot.payloads import user_id
from bot.roles import RolesUnknown
from bot.services import Services
from bot.surfaces.refusals import ROLES_UNKNOWN
from handoff.effects import Change
from handoff.lifecycle import accept


def register(app: App, services: Services) -> None:
    @app.action(Action.ACCEPT)
    def accept_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        try:
            is_ae = services.roles.is_ae(actor)
        except RolesUnknown:
            tell(services, body, respond, ROLES_UNKNOWN)
            return
        clicked_transition(
            services,
            body,
            respond,
            lambda repo, hid: accept(repo, hid, actor=actor, is_ae=is_ae, now=services.now()),
            Change.ACCEPTED,
        )
