"""The new meeting date is submitted: record it; the outcome chase starts over for that date."""

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.listeners.transitions import commit_transition
from bot.payloads import metadata_id, state_value, user_id
from bot.services import Services
from bot.surfaces.notices import too_late_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.effects import Change
from handoff.lifecycle import UnknownHandoff, log_outcome
from handoff.model import MeetingOutcome


def register(app: App, services: Services) -> None:
    @app.view(ids.Callback.RESCHEDULE)
    def meeting_rescheduled(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = user_id(body)
        values = view.get("state", {}).get("values", {})
        picked = state_value(values.get(ids.Block.RESCHEDULE_TO, {}).get(ids.Action.ANSWER))
        handoff_id = metadata_id(view, "handoff")
        now = services.now()
        when = None
        if isinstance(picked, int) and not isinstance(picked, bool):
            when = datetime.fromtimestamp(picked, UTC)
        if handoff_id is None or when is None or when <= now:
            ack(
                response_action="errors",
                errors={
                    ids.Block.RESCHEDULE_TO.value: "Pick the new date and time, in the future."
                },
            )
            return
        try:
            result = commit_transition(
                services,
                handoff_id,
                lambda repo: log_outcome(
                    repo,
                    handoff_id,
                    actor=actor,
                    outcome=MeetingOutcome.RESCHEDULED,
                    managers=services.settings.managers,
                    now=now,
                    rescheduled_to=when,
                ),
                Change.OUTCOME_LOGGED,
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
