from slack_bolt import App

from bot.listeners.actions import (
    accept_handoff,
    assign_booking,
    dispute_buttons,
    draft_buttons,
    log_outcome,
    manage_handoff,
    new_from_home,
    nudge_channel,
    qualify_booking,
    reassign_handoff,
    reject_handoff,
    reschedule_meeting,
    wizard_buttons,
)
from bot.services import Services


def register(app: App, services: Services) -> None:
    for module in (
        accept_handoff,
        reject_handoff,
        manage_handoff,
        new_from_home,
        draft_buttons,
        wizard_buttons,
        log_outcome,
        reschedule_meeting,
        reassign_handoff,
        nudge_channel,
        dispute_buttons,
        qualify_booking,
        assign_booking,
    ):
        module.register(app, services)
