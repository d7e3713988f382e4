from slack_bolt import App

from bot.listeners.events import app_home_opened, event_retries
from bot.services import Services


def register(app: App, services: Services) -> None:
    event_retries.register(app, services)
    app_home_opened.register(app, services)
