from slack_bolt import App

from bot.listeners.actions import (
    accept_handoff,
    log_outcome,
    new_from_home,
    nudge_channel,
    reassign_handoff,
    reject_handoff,
    reschedule_meeting,
)
from bot.services import Services


def register(app: App, services: Services) -> None:
    accept_handoff.register(app, services)
    reject_handoff.register(app, services)
    new_from_home.register(app, services)
    log_outcome.register(app, services)
    reschedule_meeting.register(app, services)
    reassign_handoff.register(app, services)
    nudge_channel.register(app, services)
