"""An outcome button in the AE's DM or on Home: record it, with the brief, its thread, the
SDR's DM and the Homes concerned written to the outbox in the same commit."""

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_transition
from bot.payloads import user_id
from bot.services import Services
from handoff.effects import Change
from handoff.lifecycle import log_outcome
from handoff.model import MeetingOutcome

OUTCOMES = {
    Action.OUTCOME_OPPORTUNITY.value: MeetingOutcome.HELD_OPPORTUNITY,
    Action.OUTCOME_NO_FIT.value: MeetingOutcome.HELD_NO_FIT,
    Action.OUTCOME_NO_SHOW.value: MeetingOutcome.NO_SHOW,
}
MATCH = re.compile("^(" + "|".join(re.escape(a) for a in OUTCOMES) + ")$")


def register(app: App, services: Services) -> None:
    @app.action(MATCH)
    def log_outcome_clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        outcome = OUTCOMES[body["actions"][0]["action_id"]]
        clicked_transition(
            services,
            body,
            respond,
            lambda repo, hid: log_outcome(
                repo,
                hid,
                actor=actor,
                outcome=outcome,
                managers=services.settings.managers,
                now=services.now(),
            ),
            Change.OUTCOME_LOGGED,
        )
