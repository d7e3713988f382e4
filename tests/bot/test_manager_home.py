"""A manager's Home: this week so far from the digest's own figures, and the stale list."""

from __future__ import annotations

import pytest

from bot.ids import Action
from tests.support.slack_app import AE, AE2, SDR, brief_text

MANAGER = "U0MGRDEE"


@pytest.fixture
def harness_env():
    return {"HANDOFF_AES": f"{AE},{AE2}", "HANDOFF_MANAGERS": MANAGER}


@pytest.fixture
def standin(standin):
    standin.add_user(MANAGER, name="dee")
    return standin


def _home(harness, user):
    harness.services.pool.wait_idle()  # earlier clicks' Homes first
    published = len(harness.standin.calls("views.publish"))
    harness.slack.app_home_opened(user)
    harness.standin.wait_for("views.publish", count=published + 1)
    harness.wait_until(lambda: harness.standin.home(user) is not None)
    return harness.standin.home(user)


def test_a_manager_sees_this_week_and_the_oldest_undecided_briefs(harness):
    accepted = harness.submit_handoff(company="Acme Robotics")
    harness.submit_handoff(company="Initech <& Co>")
    harness.click(AE, accepted, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))

    home = _home(harness, MANAGER)
    text = brief_text(home)
    headers = [b["text"]["text"] for b in home["blocks"] if b["type"] == "header"]
    assert headers[:2] == ["Meeting handoffs", "📊 This week so far"]
    fields = [f["text"] for b in home["blocks"] if b.get("fields") for f in b["fields"]]
    assert fields[:5] == [
        "*Submitted*\n2",
        "*Accepted*\n1",
        "*Rejected*\n0",
        "*Still pending*\n1",
        "*Acceptance rate*\n100% (last week –)",
    ]
    assert fields[5].startswith("*Time to decision*\nmedian ")
    assert "*Oldest undecided briefs*\n• *Initech &lt;&amp; Co&gt;* (in <#C0AEDESK>)" in text
    assert "Acme Robotics" not in text.split("*Oldest undecided briefs*")[1].split("\n")[1]
    # Two decided handoffs cannot show what predicts acceptance: Home says so, honestly.
    calibration = text.split("*What predicts acceptance* (handoffs of the last 13 weeks)")[1]
    assert "No criterion predicts acceptance or opportunities clearly yet." in calibration
    assert "_Not enough data yet:_ " in calibration and "10 needed on each side" in calibration


def test_someone_who_is_not_a_manager_does_not_see_it(harness):
    harness.submit_handoff()
    assert "This week so far" not in brief_text(_home(harness, AE))
