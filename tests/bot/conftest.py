"""The app served over HTTP, a Slack stand-in it talks to, and a sender that plays Slack."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.entrypoints.health import Operations
from bot.entrypoints.web import create_wsgi
from bot.services import make_services
from bot.settings import load_settings
from slack_standin import SlackSender, SlackStandIn
from storage.migrate import upgrade
from tests.support.slack_app import AE, AE2, AE_CHANNEL, SDR, SECRET, Harness, app_env


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as s:
        s.add_channel(AE_CHANNEL, "ae-desk", members=(AE, AE2))
        for user in (SDR, AE, AE2):
            s.add_user(user, name=user.lower())
        yield s


@pytest.fixture
def harness_env() -> dict[str, str]:
    """Extra settings for the app under test; a test module overrides this to change them."""
    return {}


@pytest.fixture
def harness(
    database_url: str, standin: SlackStandIn, harness_env: dict[str, str]
) -> Iterator[Harness]:
    yield from _serve(standin, database_url, harness_env)


@pytest.fixture(scope="module")
def shared_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One app on SQLite for a whole module, for tests of the HTTP edge that store nothing."""
    url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'handoff.db'}"
    upgrade(url)
    with SlackStandIn() as standin:
        standin.add_channel(AE_CHANNEL, "ae-desk", members=(AE, AE2))
        yield from _serve(standin, url, {})


def _serve(standin: SlackStandIn, database_url: str, env: dict[str, str]) -> Iterator[Harness]:
    settings = load_settings({**app_env(standin, database_url), **env})
    services = make_services(settings)
    app = build_app(services)
    wsgi = create_wsgi(app, services.engine, ops=Operations.of(services))
    with LocalServer(wsgi) as server:
        slack = SlackSender(server.url + "/slack/events", SECRET, standin)
        yield Harness(standin, slack, SDR, services, server.url)
    services.close()
    assert standin.problems == [], standin.problems
