"""Resume or discard an unfinished draft from the Home tab."""

from typing import Any

from slack_bolt import Ack, App

from bot.delivery.home_updates import publish_home
from bot.ids import Action
from bot.listeners.wizard_flow import resume
from bot.payloads import button_id, team_id, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from storage import drafts


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
            publish_home(services, team_id(body), user_id(body))

    @app.action(Action.DISCARD_DRAFT)
    def discard_draft(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_id = button_id(body)
        if draft_id is not None:
            with services.unit() as repo:
                drafts.discard(repo.session, draft_id, user_id(body))
        publish_home(services, team_id(body), user_id(body))
