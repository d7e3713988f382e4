"""The reject reason is submitted: compare-and-set, with the brief, the SDR's DM and the Homes
concerned written to the outbox in the same commit."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.transitions import commit_transition
from bot.payloads import metadata_id, state_value, user_id
from bot.roles import RolesUnknown
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, ROLES_UNKNOWN, refusal_text
from handoff.effects import Change
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
            is_ae = services.roles.is_ae(actor)
        except RolesUnknown:
            ack(response_action="errors", errors={ids.Block.REJECT_REASON.value: ROLES_UNKNOWN})
            return
        try:
            outcome = commit_transition(
                services,
                handoff_id,
                lambda repo: reject(
                    repo,
                    handoff_id,
                    actor=actor,
                    is_ae=is_ae,
                    reason=reason,
                    comment=comment,
                    now=services.now(),
                ),
                Change.REJECTED,
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
