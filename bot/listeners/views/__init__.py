from slack_bolt import App

from bot.listeners.views import (
    dispute_submitted,
    meeting_rescheduled,
    person_added,
    qualification_submitted,
    reassign_submitted,
    rejection_submitted,
    withdraw_confirmed,
    wizard_closed,
)
from bot.services import Services


def register(app: App, services: Services) -> None:
    for module in (
        qualification_submitted,
        wizard_closed,
        person_added,
        withdraw_confirmed,
        rejection_submitted,
        meeting_rescheduled,
        reassign_submitted,
        dispute_submitted,
    ):
        module.register(app, services)
