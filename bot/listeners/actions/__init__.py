from slack_bolt import App

from bot.listeners.actions import accept_handoff, new_from_home, reject_handoff
from bot.services import Services


def register(app: App, services: Services) -> None:
    accept_handoff.register(app, services)
    reject_handoff.register(app, services)
    new_from_home.register(app, services)
