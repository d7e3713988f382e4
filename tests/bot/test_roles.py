"""Who counts as an AE, read from the AE channel over the Web API (the stand-in over HTTP)."""

from __future__ import annotations

import pytest

from bot.roles import Directory, RolesUnknown
from bot.settings import load_settings
from slack_standin import SlackStandIn
from tests.support.slack_app import Harness

CHANNEL = "C0AEDESK"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def slack():
    with SlackStandIn() as standin:
        yield standin


def _directory(slack, clock, **env):
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack.base_url,
            "HANDOFF_AE_CHANNEL": CHANNEL,
            "HANDOFF_MANAGERS": "U0MGR",
            **env,
        },
        dotenv=False,
    )
    client = slack.client("xoxb-test")
    return Directory(settings, client, ttl=300, clock=clock)


def test_the_channel_members_are_the_aes_read_page_by_page_and_kept_a_while(slack):
    members = [f"U0AE{i:04}" for i in range(1203)]  # three pages of 500
    slack.add_channel(CHANNEL, "ae-desk", members=members)
    clock = Clock()
    roles = _directory(slack, clock)
    assert roles.is_ae("U0AE1202") and not roles.is_ae("U0SDR")
    assert len(slack.calls("conversations.members")) == 3
    assert all(c.args["channel"] == CHANNEL for c in slack.calls("conversations.members"))

    slack.join(CHANNEL, "U0NEWAE")
    slack.leave(CHANNEL, "U0AE0000")
    clock.now = 299
    assert not roles.is_ae("U0NEWAE") and roles.is_ae("U0AE0000")  # still the first read
    clock.now = 301
    assert roles.is_ae("U0NEWAE") and not roles.is_ae("U0AE0000")
    assert roles.roles("U0MGR").is_manager and not roles.roles("U0MGR").is_ae


def test_handoff_aes_when_set_and_slack_is_not_asked(slack):
    slack.add_channel(CHANNEL, "ae-desk", members=["U0INCHANNEL"])
    roles = _directory(slack, Clock(), HANDOFF_AES="U0LISTED")
    assert roles.is_ae("U0LISTED") and not roles.is_ae("U0INCHANNEL")
    assert slack.calls("conversations.members") == []


def test_a_failed_read_keeps_the_last_list_and_without_one_nobody_is_taken_for_an_ae(slack):
    slack.add_channel(CHANNEL, "ae-desk", members=["U0AE"])
    clock = Clock()
    roles = _directory(slack, clock)
    slack.fail_next("conversations.members", status=200, error="channel_not_found")
    with pytest.raises(RolesUnknown):
        roles.is_ae("U0AE")
    assert roles.is_ae("U0AE")  # the next question reads again
    clock.now = 1000
    slack.fail_next("conversations.members", status=200, error="internal_error")
    assert roles.is_ae("U0AE")  # stale but known beats refusing every AE


def test_a_list_past_half_its_time_is_read_again_in_the_background(slack):
    slack.add_channel(CHANNEL, "ae-desk", members=["U0AE"])
    clock = Clock()
    roles = _directory(slack, clock)
    assert roles.is_ae("U0AE") and len(slack.calls("conversations.members")) == 1
    slack.join(CHANNEL, "U0NEWAE")
    clock.now = 149
    assert not roles.is_ae("U0NEWAE")  # young enough: no read
    assert len(slack.calls("conversations.members")) == 1
    clock.now = 200
    assert not roles.is_ae("U0NEWAE")  # answered from the list in hand, at once…
    slack.wait_for("conversations.members", count=2)  # …while it is read again behind it
    Harness.wait_until(lambda: roles.is_ae("U0NEWAE"))
    assert len(slack.calls("conversations.members")) == 2


def test_a_worker_reads_the_list_as_it_starts_so_no_click_waits_for_it(slack):
    slack.add_channel(CHANNEL, "ae-desk", members=["U0AE"])
    roles = _directory(slack, Clock())
    reading = roles.warm()
    assert reading is not None
    reading.join(timeout=5)
    assert roles.is_ae("U0AE") and not roles.is_ae("U0SDR")
    assert len(slack.calls("conversations.members")) == 1
    assert roles.warm() is None  # already read: nothing more
    assert len(slack.calls("conversations.members")) == 1
