"""What a click tells Slack is written with the change: lost lines lose nothing, an older
update never lands last, and an Accept costs a handful of Web API calls."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from bot.delivery.pacing import Pacer, Slack
from bot.delivery.sender import deliver_due
from bot.ids import Action, Block
from storage.models import HandoffRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE_CHANNEL, SDR, brief_text, wizard_values

MANAGERS = ("U0MGRDEE", "U0MGREVA")
GROUP_DM = "G" + "".join(sorted(u[1:] for u in MANAGERS))[:20]


@pytest.fixture
def harness_env():
    return {"HANDOFF_MANAGERS": ",".join(MANAGERS)}


@pytest.fixture
def standin(standin):
    for manager in MANAGERS:
        standin.add_user(manager, name=manager.lower())
    return standin


def _settle(harness) -> None:
    assert harness.services.pool.wait_idle()


def _sweep(harness):
    _settle(harness)
    slack = Slack.for_sweep(harness.services.client, Pacer(sleep=lambda s: None))
    return deliver_due(harness.services, slack)


def _calls_since(harness, before: int) -> Counter[str]:
    return Counter(c.method for c in harness.standin.calls()[before:])


def test_an_accept_costs_four_calls_and_nothing_on_the_listener_thread(harness):
    brief = harness.submit_handoff()
    _settle(harness)
    before = len(harness.standin.calls())
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    harness.wait_until(lambda: "Accepted" in brief_text(harness.brief(brief["ts"])))
    _settle(harness)
    # The brief, the SDR's DM (straight to the user: no conversations.open), both Homes.
    assert _calls_since(harness, before) == Counter(
        {"chat.update": 1, "chat.postMessage": 1, "views.publish": 2}
    )


def test_a_line_lost_after_an_accept_loses_no_dm(harness):
    """The brief's update reached Slack but the answer never came back (three times, so the
    client's retries give up with a connection error, not a Slack error)."""
    brief = harness.submit_handoff()
    _settle(harness)
    harness.standin.fail_next("chat.update", mode="drop_after", times=3)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    _settle(harness)
    assert len(harness.standin.dms(SDR)) == 1 and "accepted" in harness.standin.dms(SDR)[0]["text"]
    # The brief's row waits for the sweep, which brings it up to date once.
    swept = _sweep(harness)
    assert [j.kind for j in swept.updated] == ["brief"]
    assert "Accepted" in brief_text(harness.brief(brief["ts"]))
    assert _sweep(harness).updated == []
    assert len(harness.standin.dms(SDR)) == 1
    assert len(harness.standin.messages(AE_CHANNEL)) == 1


def test_a_line_lost_after_a_dispute_still_reaches_the_managers_once(harness):
    harness.reject(AE, harness.submit_handoff())
    _settle(harness)
    [dm] = harness.standin.dms(SDR)
    block, button = next(
        (b["block_id"], e)
        for b in dm["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == Action.DISPUTE
    )
    opened = len(harness.standin.calls("views.open"))
    harness.slack.block_action_in_message(
        SDR, harness.standin.dm_channel(SDR), dm["ts"], Action.DISPUTE, block, button["value"]
    )
    harness.standin.wait_for("views.open", count=opened + 1)
    case = harness.latest_view()
    # The managers' DM: the post lands, the answer is lost on the way back.
    harness.standin.fail_next("chat.postMessage", mode="drop_after")
    reply = harness.slack.submit_view(
        SDR, case["id"], {f"{Block.DISPUTE_CASE}.answer": "She signs every budget."}
    )
    assert harness.slack.apply_view_response(case["id"], reply).action == "close"
    harness.wait_until(lambda: harness.standin.messages(GROUP_DM))
    _settle(harness)
    # The sender never learnt it was posted: the sweep looks, finds it, and does not repost.
    swept = _sweep(harness)
    assert [(s.kind, s.recovered) for s in swept.sent] == [("dispute", True)]
    assert len(harness.standin.messages(GROUP_DM)) == 1
    assert _sweep(harness).sent == []


def test_an_edit_and_an_accept_that_overlap_leave_slack_on_the_latest_version(harness):
    brief = harness.submit_handoff()
    _settle(harness)
    value = f"edit:{brief['blocks'][-2]['elements'][0]['value']}"
    opened = len(harness.standin.calls("views.open"))
    harness.slack.block_action_in_message(
        SDR, AE_CHANNEL, brief["ts"], Action.MANAGE, Block.BRIEF_ACTIONS, value, seen=brief
    )
    harness.standin.wait_for("views.open", count=opened + 1)
    review = harness.walk_to_review(harness.latest_view(), wizard_values(timing="later"))
    # The edit's update reaches Slack, but its answer is slow: the accept lands meanwhile.
    harness.standin.fail_next("chat.update", mode="hang", seconds=1.0)
    updates = len(harness.standin.calls("chat.update"))
    reply = harness.slack.submit_view(SDR, review["id"], {})
    assert harness.slack.apply_view_response(review["id"], reply).action == "close"
    harness.standin.wait_for("chat.update", count=updates + 1)
    harness.click(AE, harness.brief(brief["ts"]), Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    _settle(harness)
    shown = brief_text(harness.brief(brief["ts"]))
    assert "Accepted" in shown and "✏️ edited" in shown
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert row.brief_synced_version == row.brief_version
