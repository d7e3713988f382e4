"""Fixtures for the stand-in's own tests: a running stand-in, a WebClient, a fake app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_standin import SlackSender, SlackStandIn
from tests.support.fake_apps import SIGNING_SECRET, FakeApp


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as running:
        yield running


@pytest.fixture
def slack(standin: SlackStandIn) -> WebClient:
    return standin.client()


@pytest.fixture
def fake_app() -> Iterator[FakeApp]:
    with FakeApp() as app:
        yield app


@pytest.fixture
def sender(fake_app: FakeApp, standin: SlackStandIn) -> SlackSender:
    return SlackSender(fake_app.url, SIGNING_SECRET, standin)
