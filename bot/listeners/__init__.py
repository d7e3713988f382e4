"""Listeners: thin adapters from Slack requests to use cases."""

from slack_bolt import App

from bot.listeners import actions, commands, events, same_workspace, shortcuts, views
from bot.services import Services


def register(app: App, services: Services) -> None:
    # The workspace check is the first middleware: a foreign request touches nothing.
    for module in (same_workspace, commands, shortcuts, actions, views, events):
        module.register(app, services)
