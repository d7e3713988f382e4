"""App Home through Slack's protocol: an SDR's handoffs and drafts, an AE's queue and meetings,
decisions and outcomes from Home, and refusals where there is no message to answer under."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.ids import Action, Block, Callback
from storage.models import EventRow, HandoffRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE2, AE_CHANNEL, SDR, brief_text

SDR2 = "U0SDRDAN"


@pytest.fixture
def harness_env():
    return {"HANDOFF_AES": f"{AE},{AE2}"}


@pytest.fixture
def standin(standin):
    standin.add_user(SDR2, name="dan")
    return standin


def _home(harness, user, until=None):
    """Open Home as `user` and return it once the bot has published it (and it shows
    `until`: a refresh still on its way from an earlier click may land just after)."""
    harness.services.pool.wait_idle()  # earlier clicks' Homes first
    published = len(harness.standin.calls("views.publish"))
    harness.slack.app_home_opened(user)
    harness.standin.wait_for("views.publish", count=published + 1)
    harness.wait_until(lambda: harness.standin.home(user) is not None)
    if until is not None:
        _wait_home(harness, user, lambda t: until in t)
    return harness.standin.home(user)


def _text(view):
    return brief_text(view) + json.dumps(view, ensure_ascii=False)


def _handoff_id(brief):
    return int(next(b for b in brief["blocks"] if b["type"] == "actions")["elements"][0]["value"])


def _button(view, block_id, action):
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return next(e for e in block["elements"] if e["action_id"] == action)


def _click_home(harness, user, block_id, action):
    home = harness.standin.home(user)
    button = _button(home, block_id, action)
    return harness.slack.block_action_in_view(user, home["id"], action, block_id, button["value"])


def _wait_home(harness, user, condition):
    harness.wait_until(lambda: condition(_text(harness.standin.home(user) or {"blocks": []})))


def _status(harness, handoff_id):
    with unit(harness.services) as repo:
        return repo.session.get(HandoffRow, handoff_id).status


def test_sdr_home_lists_their_handoffs_with_status_and_score_and_no_ae_queue(harness):
    harness.submit_handoff(company="Acme Robotics")
    harness.submit_handoff(SDR2, company="Someone Else's Co")
    home = _home(harness, SDR)
    text = _text(home)
    assert "New handoff" in text and "*Your handoffs*" in text
    assert "*Acme Robotics*" in text and "⏳ Waiting for an AE · score 100" in text
    assert "Someone Else" not in text
    assert "Briefs waiting for an AE" not in text  # SDR is not in HANDOFF_AES
    # Edit and Withdraw stay on an undecided handoff.
    assert any(b.get("accessory", {}).get("action_id") == Action.MANAGE for b in home["blocks"])


def test_ae_accepts_from_home_and_the_meeting_moves_to_upcoming(harness):
    first = harness.submit_handoff(company="Acme Robotics")
    second = harness.submit_handoff(SDR2, company="Globex")
    home = _home(harness, AE)
    text = _text(home)
    assert "*Briefs waiting for an AE* (2)" in text
    assert "*Acme Robotics*" in text and "*Globex*" in text
    assert "Your handoffs" not in text  # an AE who never booked is not told so
    acme = _handoff_id(first)

    _click_home(harness, AE, f"{Block.HOME_PENDING}{acme}", Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    assert f"<@{AE}> accepted your handoff" in harness.standin.dms(SDR)[0]["text"]
    harness.wait_until(lambda: "✅ *Accepted* by" in brief_text(harness.brief(first["ts"])))
    assert _status(harness, acme) == "accepted"
    # Home is republished: Acme left the queue for "upcoming", Globex still waits.
    _wait_home(harness, AE, lambda t: "*Briefs waiting for an AE* (1)" in t)
    text = _text(harness.standin.home(AE))
    assert "*Your upcoming meetings*" in text and "• *Acme Robotics*" in text
    assert f"{Block.HOME_PENDING}{acme}" not in text
    assert f"{Block.HOME_PENDING}{_handoff_id(second)}" in text
    # The booker's Home follows too, without opening it again.
    _wait_home(harness, SDR, lambda t: "✅ Accepted · score 100" in t)


def test_ae_rejects_from_home_through_the_reason_modal(harness):
    brief = harness.submit_handoff()
    handoff_id = _handoff_id(brief)
    _home(harness, AE2)
    opened = len(harness.standin.calls("views.open"))
    _click_home(harness, AE2, f"{Block.HOME_PENDING}{handoff_id}", Action.REJECT)
    harness.standin.wait_for("views.open", count=opened + 1)
    modal = harness.latest_view()
    assert modal["callback_id"] == Callback.REJECT
    reply = harness.slack.submit_view(
        AE2,
        modal["id"],
        {f"{Block.REJECT_REASON}.answer": "bad_timing", f"{Block.REJECT_COMMENT}.answer": "Q3"},
    )
    assert harness.slack.apply_view_response(modal["id"], reply).action == "close"
    harness.wait_until(lambda: harness.standin.dms(SDR))
    assert "Bad timing" in harness.standin.dms(SDR)[0]["text"]
    assert "❌ *Rejected* by" in brief_text(harness.brief(brief["ts"]))
    _wait_home(harness, AE2, lambda t: "Nothing is waiting for an AE." in t)
    _wait_home(harness, SDR, lambda t: "❌ Rejected · score 100  ·  Bad timing" in t)


def test_a_stale_accept_on_home_is_refused_in_a_modal_and_home_is_refreshed(harness):
    brief = harness.submit_handoff()
    handoff_id = _handoff_id(brief)
    _home(harness, AE2)  # AE2 looks at the queue...
    harness.click(AE, brief, Action.ACCEPT)  # ...while AE accepts in the channel
    harness.wait_until(lambda: harness.standin.dms(SDR))
    opened = len(harness.standin.calls("views.open"))
    harness.services.pool.wait_idle()  # earlier clicks' Homes first
    published = len(harness.standin.calls("views.publish"))
    _click_home(harness, AE2, f"{Block.HOME_PENDING}{handoff_id}", Action.ACCEPT)
    harness.standin.wait_for("views.open", count=opened + 1)
    refusal = harness.latest_view()
    assert refusal["title"]["text"] == "Nothing changed"
    assert f"already *accepted* by <@{AE}>" in brief_text(refusal)
    harness.standin.wait_for("views.publish", count=published + 1)
    _wait_home(harness, AE2, lambda t: "Nothing is waiting for an AE." in t)
    assert harness.standin.calls("response_url") == []  # there was nothing to answer under
    with unit(harness.services) as repo:
        row = repo.session.get(HandoffRow, handoff_id)
        assert (row.status, row.decided_by) == ("accepted", AE)


def test_refusal_falls_back_to_a_notice_on_home_when_the_modal_cannot_open(harness):
    brief = harness.submit_handoff()
    handoff_id = _handoff_id(brief)
    _home(harness, AE2)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    harness.standin.fail_next("views.open", status=200, error="expired_trigger_id")
    _click_home(harness, AE2, f"{Block.HOME_PENDING}{handoff_id}", Action.ACCEPT)
    _wait_home(harness, AE2, lambda t: f"⚠️ This handoff was already *accepted* by <@{AE}>" in t)
    assert "Nothing is waiting for an AE." in _text(harness.standin.home(AE2))


def test_ae_logs_an_outcome_from_home_once_the_meeting_is_over(harness):
    brief = harness.submit_handoff()
    handoff_id = _handoff_id(brief)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    home = _home(harness, AE, until="*Your upcoming meetings*")
    assert f"{Block.HOME_OUTCOME}{handoff_id}" not in _text(home)

    real_now = harness.services.now
    harness.services.now = lambda: real_now() + timedelta(days=3)  # after the meeting
    home = _home(harness, AE, until=f"{Block.HOME_OUTCOME}{handoff_id}")
    assert "No meeting of yours is waiting" not in _text(home)
    # SDR can't: the refusal comes as a modal, since Home has no message to answer under.
    opened = len(harness.standin.calls("views.open"))
    harness.slack.block_action_in_view(
        SDR,
        home["id"],
        Action.OUTCOME_NO_SHOW,
        f"{Block.HOME_OUTCOME}{handoff_id}",
        str(handoff_id),
    )
    harness.standin.wait_for("views.open", count=opened + 1)
    assert "only they or a manager" in brief_text(harness.latest_view())

    _click_home(harness, AE, f"{Block.HOME_OUTCOME}{handoff_id}", Action.OUTCOME_OPPORTUNITY)
    harness.wait_until(lambda: len(harness.standin.dms(SDR)) == 2)
    assert "Held – opportunity created" in harness.standin.dms(SDR)[1]["text"]
    harness.wait_until(lambda: "Outcome:" in brief_text(harness.brief(brief["ts"])))
    _wait_home(harness, AE, lambda t: "No meeting of yours is waiting for its outcome." in t)
    _wait_home(harness, SDR, lambda t: "📋 *Outcome:* Held – opportunity created" in t)
    with unit(harness.services) as repo:
        kinds = [e.kind for e in repo.session.scalars(select(EventRow).order_by(EventRow.id))]
    assert kinds[-1] == "outcome"


def test_a_failing_views_publish_never_fails_the_click(harness):
    brief = harness.submit_handoff()
    harness.services.pool.wait_idle()  # the Send's own Home publishes are done
    published = len(harness.standin.calls("views.publish"))
    harness.standin.fail_next("views.publish", status=200, error="internal_error", times=2)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    harness.wait_until(lambda: "✅ *Accepted* by" in brief_text(harness.brief(brief["ts"])))
    # Both Homes concerned (the SDR's and the AE's) were tried, and both failed.
    harness.standin.wait_for("views.publish", count=published + 2)
    assert [c.ok for c in harness.standin.calls("views.publish")[published:]] == [False, False]
    # No "Something went wrong" to the AE: the decision went through.
    assert harness.standin.calls("response_url") == []
    assert _status(harness, _handoff_id(brief)) == "accepted"


def test_home_caps_long_lists_with_a_count(harness):
    for i in range(10):
        harness.submit_handoff(SDR2, company=f"Company {i:02}")
    text = _text(_home(harness, AE))
    assert "*Briefs waiting for an AE* (10)" in text
    assert text.count(Block.HOME_PENDING.value) == 8
    assert f"+2 more in <#{AE_CHANNEL}>" in text
