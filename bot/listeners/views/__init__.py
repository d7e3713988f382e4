from slack_bolt import App

from bot.listeners.views import (
    meeting_rescheduled,
    qualification_submitted,
    reassign_submitted,
    rejection_submitted,
)
from bot.services import Services


def register(app: App, services: Services) -> None:
    qualification_submitted.register(app, services)
    rejection_submitted.register(app, services)
    meeting_rescheduled.register(app, services)
    reassign_submitted.register(app, services)
