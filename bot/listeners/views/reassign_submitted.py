"""A manager picked the AE: reassign, then the brief, its thread and the SDR."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.delivery.brief_sync import notify_sdr, sync_brief
from bot.delivery.followups import after_reassign
from bot.delivery.home_updates import refresh_for
from bot.delivery.outbox import Outbox
from bot.payloads import metadata_id, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
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
        try:
            with services.unit() as repo:
                before = repo.get(handoff_id)
                result = reassign(
                    repo,
                    handoff_id,
                    actor=actor,
                    to_ae=to_ae,
                    managers=services.settings.managers,
                    now=services.now(),
                )
                level = len([e for e in repo.events(handoff_id) if e.kind == "reassigned"])
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
        if not result.changed:
            return
        sync_brief(services, handoff_id)
        notify_sdr(services, handoff_id)
        after_reassign(services, Outbox.immediate(services), handoff_id, level)
        refresh_for(services, handoff_id, actor, before.ae_id if before else None)
