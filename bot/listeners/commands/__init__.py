from slack_bolt import App

from bot.listeners.commands import handoff_command
from bot.services import Services


def register(app: App, services: Services) -> None:
    handoff_command.register(app, services)
