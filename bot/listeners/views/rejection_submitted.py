"""The reject reason is submitted: compare-and-set, then the brief and the SDR."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.delivery.brief_sync import notify_sdr, sync_brief
from bot.delivery.home_updates import refresh_for
from bot.payloads import metadata_id, state_value, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.lifecycle import UnknownHandoff, reject

COMMENT_MAX = 1000


def register(app: App, services: Services) -> None:
    @app.view(ids.Callback.REJECT)
    def rejection_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        values = view.get("state", {}).get("values", {})
        reason = state_value(values.get(ids.Block.REJECT_REASON, {}).get(ids.Action.ANSWER))
        comment = state_value(values.get(ids.Block.REJECT_COMMENT, {}).get(ids.Action.ANSWER))
        comment = comment.strip() if isinstance(comment, str) else ""
        errors = {}
        if not isinstance(reason, str) or not services.config.has("rejection_reasons", reason):
            errors[ids.Block.REJECT_REASON.value] = "Pick the reason closest to the truth."
        if len(comment) > COMMENT_MAX:
            errors[ids.Block.REJECT_COMMENT.value] = f"Keep it under {COMMENT_MAX} characters."
        handoff_id = metadata_id(view, "handoff")
        if handoff_id is None:
            errors[ids.Block.REJECT_REASON.value] = "This form has expired; click Reject again."
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert isinstance(reason, str) and handoff_id is not None
        try:
            with services.unit() as repo:
                outcome = reject(
                    repo,
                    handoff_id,
                    actor=actor,
                    reason=reason,
                    comment=comment,
                    now=services.now(),
                )
        except UnknownHandoff:
            ack(response_action="update", view=too_late_view(GONE))
            return
        if outcome.refusal:
            text = refusal_text(outcome.refusal, actor)
            ack(response_action="update", view=too_late_view(text))
            return
        ack()
        sync_brief(services, handoff_id)
        notify_sdr(services, handoff_id)
        refresh_for(services, handoff_id, actor)
