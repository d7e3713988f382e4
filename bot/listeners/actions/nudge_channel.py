""" "Nudge the channel" in the managers' DM: one loud reply in the brief's thread."""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_handoff
from bot.listeners.transitions import commit_effects
from bot.payloads import user_id
from bot.services import Services
from bot.surfaces.notices import notice
from bot.surfaces.refusals import refusal_text
from bot.surfaces.render import channel
from handoff.effects import Effect
from handoff.lifecycle import Refusal, RefusalKind
from handoff.model import MessageKind, Status


def register(app: App, services: Services) -> None:
    @app.action(Action.NUDGE)
    def nudge_channel(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff = clicked_handoff(services, body, respond, managers_only=True)
        if handoff is None:
            return
        if handoff.status != Status.PENDING:
            refusal = Refusal(RefusalKind.ALREADY_DECIDED, handoff.status, handoff.ae_id)
            respond(**notice(refusal_text(refusal, actor)), replace_original=False)
            return
        # Level 1: a brief is nudged once, however many managers click.
        nudge = Effect(MessageKind.NUDGE, handoff.team_id, handoff.id, 1, recipient=actor)
        armed = commit_effects(services, [nudge])
        where = channel(handoff.brief_channel)
        text = (
            f"Nudged {where} in the brief's thread." if armed else "The channel was nudged already."
        )
        respond(**notice(text), replace_original=False)
