from slack_bolt import App

from bot.listeners.shortcuts import new_handoff
from bot.services import Services


def register(app: App, services: Services) -> None:
    new_handoff.register(app, services)
