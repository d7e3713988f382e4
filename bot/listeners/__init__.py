"""Listeners: thin adapters from Slack requests to use cases."""

from slack_bolt import App

from bot.listeners import actions, commands, events, log_fields, same_workspace, shortcuts, views
from bot.services import Services


def register(app: App, services: Services) -> None:
    # The log fields come first, so that even a refusal is logged with them; then the
    # workspace check: a foreign request touches nothing.
    for module in (log_fields, same_workspace, commands, shortcuts, actions, views, events):
        module.register(app, services)
