"""Listeners: thin adapters from Slack requests to use cases."""

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, views
from bot.services import Services


def register(app: App, services: Services) -> None:
    for module in (commands, shortcuts, actions, views, events):
        module.register(app, services)
