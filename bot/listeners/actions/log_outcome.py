"""An outcome button in the AE's DM or on Home: record it, then the brief, its thread, the SDR
and the Homes concerned."""

import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.delivery.brief_sync import sync_brief
from bot.delivery.followups import after_outcome
from bot.delivery.home_updates import refresh_for
from bot.delivery.outbox import Outbox
from bot.ids import Action
from bot.listeners.clicks import clicked_transition
from bot.payloads import user_id
from bot.services import Services
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
        handoff_id = clicked_transition(
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
        )
        if handoff_id is None:
            return
        sync_brief(services, handoff_id)
        after_outcome(services, Outbox.immediate(services), handoff_id)
        refresh_for(services, handoff_id, actor)
