"""A manager picked the AE: reassign, with the brief, its thread, the SDR's DM and the Homes
concerned written to the outbox in the same commit."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.clicks import ae_pick_error
from bot.listeners.transitions import commit_transition
from bot.payloads import metadata_id, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.effects import Change
from handoff.lifecycle import RefusalKind, UnknownHandoff, reassign


def register(app: App, services: Services) -> None:
    @app.view(ids.Callback.REASSIGN)
    def reassign_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        values = view.get("state", {}).get("values", {})
        element = values.get(ids.Block.REASSIGN_TO, {}).get(ids.Action.ANSWER) or {}
        to_ae = element.get("selected_user")
        handoff_id = metadata_id(view, "handoff")
        if handoff_id is None or not isinstance(to_ae, str) or not to_ae:
            ack(response_action="errors", errors={ids.Block.REASSIGN_TO.value: "Pick an AE."})
            return
        problem = ae_pick_error(services, to_ae)
        if problem:
            ack(response_action="errors", errors={ids.Block.REASSIGN_TO.value: problem})
            return
        try:
            result = commit_transition(
                services,
                handoff_id,
                lambda repo: reassign(
                    repo,
                    handoff_id,
                    actor=actor,
                    to_ae=to_ae,
                    managers=services.settings.managers,
                    now=services.now(),
                ),
                Change.REASSIGNED,
                actor=actor,
            )
        except UnknownHandoff:
            ack(response_action="update", view=too_late_view(GONE))
            return
        if result.refusal:
            if result.refusal.kind == RefusalKind.BOOKER_AS_AE:
                text = refusal_text(result.refusal, actor)
                ack(response_action="errors", errors={ids.Block.REASSIGN_TO.value: text})
                return
            ack(
                response_action="update",
                view=too_late_view(refusal_text(result.refusal, actor)),
            )
            return
        ack()
