from slack_bolt import App

from bot.listeners.actions import (
    accept_handoff,
    draft_buttons,
    manage_handoff,
    new_from_home,
    reject_handoff,
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
    ):
        module.register(app, services)
