"""The booker confirms the withdrawal: compare-and-set, then the brief loses its buttons."""

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Callback
from bot.listeners.transitions import commit_transition
from bot.payloads import metadata_id, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.effects import Change
from handoff.lifecycle import UnknownHandoff, withdraw


def register(app: App, services: Services) -> None:
    @app.view(Callback.WITHDRAW)
    def withdraw_confirmed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        handoff_id = metadata_id(view, "handoff")
        try:
            if handoff_id is None:
                raise UnknownHandoff(handoff_id)
            found = handoff_id
            outcome = commit_transition(
                services,
                found,
                lambda repo: withdraw(repo, found, actor=actor, now=services.now()),
                Change.WITHDRAWN,
                actor=actor,
            )
        except UnknownHandoff:
            ack(response_action="update", view=too_late_view(GONE))
            return
        if outcome.refusal:
            text = refusal_text(outcome.refusal, actor)
            ack(response_action="update", view=too_late_view(text))
            return
        ack()
