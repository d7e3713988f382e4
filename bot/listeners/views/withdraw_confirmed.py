"""The booker confirms the withdrawal: compare-and-set, then the brief loses its buttons."""

from typing import Any

from slack_bolt import Ack, App

from bot.delivery.brief_sync import sync_brief
from bot.delivery.home_updates import refresh_for
from bot.ids import Callback
from bot.payloads import metadata_id, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.lifecycle import UnknownHandoff, withdraw


def register(app: App, services: Services) -> None:
    @app.view(Callback.WITHDRAW)
    def withdraw_confirmed(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        handoff_id = metadata_id(view, "handoff")
        try:
            if handoff_id is None:
                raise UnknownHandoff(handoff_id)
            with services.unit() as repo:
                outcome = withdraw(repo, handoff_id, actor=actor, now=services.now())
        except UnknownHandoff:
            ack(response_action="update", view=too_late_view(GONE))
            return
        if outcome.refusal:
            text = refusal_text(outcome.refusal, actor)
            ack(response_action="update", view=too_late_view(text))
            return
        ack()
        sync_brief(services, handoff_id)
        refresh_for(services, handoff_id, actor)
