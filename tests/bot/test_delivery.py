"""Slack failing mid-loop: nothing is lost, and nothing is sent twice when it recovers."""

from __future__ import annotations

from sqlalchemy import select

from bot.delivery.brief_sync import deliver_pending
from bot.ids import Action
from storage.models import HandoffRow, ReminderRow
from tests.support.slack_app import AE, AE_CHANNEL, SDR, wizard_values


def _submit_without_waiting(harness):
    view = harness.open_form()
    assert harness.send(view, wizard_values()).action == "close"


def test_slack_down_when_posting_keeps_the_handoff_and_the_sweep_posts_it_once(harness):
    # Three 500s outlast the client's two retries.
    harness.standin.fail_next("chat.postMessage", status=500, error="internal_error", times=3)
    _submit_without_waiting(harness)
    harness.wait_until(lambda: len(harness.standin.calls("chat.postMessage")) == 3)
    harness.wait_until(lambda: _ledger(harness, "brief").last_error is not None)
    with harness.services.unit() as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert (row.status, row.brief_ts) == ("submitted", None)
    assert harness.standin.messages(AE_CHANNEL) == []

    assert deliver_pending(harness.services) == 1
    assert deliver_pending(harness.services) == 0  # a second sweep has nothing to do
    assert len(harness.standin.messages(AE_CHANNEL)) == 1
    with harness.services.unit() as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert row.status == "pending" and row.brief_ts is not None


def test_rate_limited_post_is_retried_after_retry_after(harness):
    harness.standin.fail_next("chat.postMessage", status=429, retry_after=0, times=1)
    brief = harness.submit_handoff()
    posts = harness.standin.calls("chat.postMessage")
    assert [c.status for c in posts] == [429, 200]
    assert harness.standin.messages(AE_CHANNEL) == [brief]


def test_failed_dm_is_resent_by_the_sweep_once(harness):
    brief = harness.submit_handoff()
    harness.standin.fail_next("chat.postMessage", status=500, error="internal_error", times=3)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(
        lambda: (
            _ledger(harness, "decision_dm") is not None
            and _ledger(harness, "decision_dm").last_error is not None
        )
    )
    assert harness.standin.dms(SDR) == []
    assert deliver_pending(harness.services) == 1
    assert deliver_pending(harness.services) == 0
    assert len(harness.standin.dms(SDR)) == 1
    assert "accepted" in harness.standin.dms(SDR)[0]["text"]


def test_failed_brief_update_is_brought_up_to_date_by_the_sweep(harness):
    brief = harness.submit_handoff()
    harness.standin.fail_next("chat.update", status=500, error="internal_error", times=3)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    assert "Accepted" not in str(harness.brief(brief["ts"])["blocks"])
    deliver_pending(harness.services)
    assert "Accepted" in str(harness.brief(brief["ts"])["blocks"])
    assert len(harness.standin.messages(AE_CHANNEL)) == 1


def _ledger(harness, kind):
    with harness.services.unit() as repo:
        row = repo.session.scalar(select(ReminderRow).where(ReminderRow.kind == kind))
        if row is not None:
            repo.session.expunge(row)
        return row
