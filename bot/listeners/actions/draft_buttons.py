"""Resume or discard an unfinished draft from the Home tab."""

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Action
from bot.listeners.transitions import commit_effects
from bot.listeners.wizard_flow import resume
from bot.payloads import button_id, team_id, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from handoff.effects import homes


def register(app: App, services: Services) -> None:
    @app.action(Action.RESUME_DRAFT)
    def resume_draft(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_id = button_id(body)
        trigger = body["trigger_id"]
        if draft_id is None or not resume(
            services, trigger_id=trigger, draft_id=draft_id, user_id=user_id(body)
        ):
            gone = "That draft was already sent or discarded."
            services.client.views_open(trigger_id=trigger, view=too_late_view(gone))
            commit_effects(services, homes(team_id(body), [user_id(body)]))

    @app.action(Action.DISCARD_DRAFT)
    def discard_draft(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_id = button_id(body)
        with services.uow() as uow:
            if draft_id is not None:
                uow.drafts.discard(draft_id, user_id(body))
            uow.outbox.add(homes(team_id(body), [user_id(body)]), now=services.now())
            written = uow.outbox.written
        services.deliver_soon(written)
