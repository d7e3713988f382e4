"""The SDR's case, and the manager's pick of an AE on Overturn: compare-and-set, with the
brief, the messages of bot/delivery/dispute_notices.py and the Homes concerned written to
the outbox in the same commit."""

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.clicks import ae_pick_error
from bot.listeners.transitions import commit_transition
from bot.payloads import metadata_id, state_value, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.effects import Change
from handoff.lifecycle import (
    DISPUTE_CASE_MAX,
    RefusalKind,
    UnknownHandoff,
    dispute,
    dispute_window,
    resolve_dispute,
)

EXPIRED = "This form has expired; click the button again."


def register(app: App, services: Services) -> None:
    @app.view(ids.Callback.DISPUTE)
    def dispute_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        values = view.get("state", {}).get("values", {})
        case = state_value(values.get(ids.Block.DISPUTE_CASE, {}).get(ids.Action.ANSWER))
        case = case.strip() if isinstance(case, str) else ""
        handoff_id = metadata_id(view, "handoff")
        field = ids.Block.DISPUTE_CASE.value
        if handoff_id is None:
            ack(response_action="errors", errors={field: EXPIRED})
            return
        if not case:
            ack(response_action="errors", errors={field: "Say why the rejection is wrong."})
            return
        if len(case) > DISPUTE_CASE_MAX:
            ack(
                response_action="errors",
                errors={field: f"Keep it under {DISPUTE_CASE_MAX} characters."},
            )
            return
        try:
            found = handoff_id
            result = commit_transition(
                services,
                found,
                lambda repo: dispute(
                    repo,
                    found,
                    actor=actor,
                    case=case,
                    managers=services.settings.managers,
                    now=services.now(),
                    window=dispute_window(services.config.disputes.window_days),
                ),
                Change.DISPUTED,
                actor=actor,
            )
        except UnknownHandoff:
            ack(response_action="update", view=too_late_view(GONE))
            return
        if result.refusal:
            text = refusal_text(result.refusal, actor)
            ack(response_action="update", view=too_late_view(text))
            return
        ack()

    @app.view(ids.Callback.OVERTURN)
    def overturn_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        values = view.get("state", {}).get("values", {})
        element = values.get(ids.Block.OVERTURN_TO, {}).get(ids.Action.ANSWER) or {}
        to_ae = element.get("selected_user")
        handoff_id = metadata_id(view, "handoff")
        field = ids.Block.OVERTURN_TO.value
        if handoff_id is None or not isinstance(to_ae, str) or not to_ae:
            ack(response_action="errors", errors={field: "Pick the AE who takes the meeting."})
            return
        problem = ae_pick_error(services, to_ae)
        if problem:
            ack(response_action="errors", errors={field: problem})
            return
        try:
            found = handoff_id
            result = commit_transition(
                services,
                found,
                lambda repo: resolve_dispute(
                    repo,
                    found,
                    actor=actor,
                    overturn=True,
                    to_ae=to_ae,
                    managers=services.settings.managers,
                    now=services.now(),
                ),
                Change.DISPUTE_RESOLVED,
                actor=actor,
            )
        except UnknownHandoff:
            ack(response_action="update", view=too_late_view(GONE))
            return
        if result.refusal:
            text = refusal_text(result.refusal, actor)
            if result.refusal.kind == RefusalKind.BOOKER_AS_AE:
                ack(response_action="errors", errors={field: text})
            else:
                ack(response_action="update", view=too_late_view(text))
            return
        ack()
