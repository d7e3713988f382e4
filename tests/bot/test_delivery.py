"""Slack failing mid-loop: nothing is lost, and nothing is sent twice when it recovers."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, update

from bot.delivery.pacing import Pacer, Slack
from bot.delivery.sender import Outcome, deliver, deliver_due
from bot.ids import Action
from storage.models import HandoffRow, OutboxRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE_CHANNEL, SDR, wizard_values


def _submit_without_waiting(harness):
    view = harness.open_form()
    assert harness.send(view, wizard_values()).action == "close"


def _sweep(harness) -> Outcome:
    """What the sweep does for these rows: send whatever is due (a pacer that never sleeps)."""
    harness.services.pool.wait_idle()
    slack = Slack.for_sweep(harness.services.client, Pacer(sleep=lambda s: None))
    return deliver_due(harness.services, slack)


def test_slack_down_when_posting_keeps_the_handoff_and_the_sweep_posts_it_once(harness):
    # A post is never retried blindly: one 500 and the row waits, with its error.
    harness.standin.fail_next("chat.postMessage", status=500, error="internal_error", times=1)
    _submit_without_waiting(harness)
    harness.wait_until(lambda: _row(harness, "brief").last_error is not None)
    assert len(harness.standin.calls("chat.postMessage")) == 1
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert (row.status, row.brief_ts) == ("submitted", None)
    assert harness.standin.messages(AE_CHANNEL) == []

    posted = _sweep(harness)
    assert [s.kind for s in posted.sent] == ["brief"]
    # It looked first: the failed post might have landed before the connection broke.
    assert len(harness.standin.calls("conversations.history")) == 1
    assert _sweep(harness).sent == []  # a second sweep has nothing to do
    assert len(harness.standin.messages(AE_CHANNEL)) == 1
    with unit(harness.services) as repo:
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
    harness.standin.fail_next("chat.postMessage", status=500, error="internal_error", times=1)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(
        lambda: (
            _row(harness, "decision_dm") is not None
            and _row(harness, "decision_dm").last_error is not None
        )
    )
    assert harness.standin.dms(SDR) == []
    assert [s.kind for s in _sweep(harness).sent] == ["decision_dm"]
    assert _sweep(harness).sent == []
    assert len(harness.standin.dms(SDR)) == 1
    assert "accepted" in harness.standin.dms(SDR)[0]["text"]


def test_failed_brief_update_is_brought_up_to_date_by_the_sweep(harness):
    brief = harness.submit_handoff()
    # Three 500s outlast the client's two retries of an update (safe to repeat).
    harness.standin.fail_next("chat.update", status=500, error="internal_error", times=3)
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    harness.wait_until(lambda: _row(harness, "brief").last_error is not None)
    assert "Accepted" not in str(harness.brief(brief["ts"])["blocks"])
    _sweep(harness)
    assert "Accepted" in str(harness.brief(brief["ts"])["blocks"])
    assert len(harness.standin.messages(AE_CHANNEL)) == 1


def _row(harness, kind):
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(OutboxRow).where(OutboxRow.kind == kind))
        if row is not None:
            repo.session.expunge(row)
        return row


def test_a_failed_lookup_makes_the_post_wait_instead_of_posting_it_again(harness):
    # The brief lands but its answer is lost; then Slack fails the lookup (a 503 through the
    # client's retries). Posting then would show the brief twice: the row waits instead.
    harness.standin.fail_next("chat.postMessage", mode="drop_after")
    _submit_without_waiting(harness)
    harness.wait_until(lambda: _row(harness, "brief").last_error is not None)
    harness.standin.fail_next("conversations.history", status=503, error="x", times=3)
    assert _sweep(harness).sent == []
    assert _row(harness, "brief").pending and len(harness.standin.messages(AE_CHANNEL)) == 1
    with unit(harness.services) as repo:  # a minute on, the lookup answers and finds it
        repo.session.execute(update(OutboxRow).values(available_at=OutboxRow.created_at))
    [found] = _sweep(harness).sent
    assert found.recovered and len(harness.standin.messages(AE_CHANNEL)) == 1


def test_a_lost_post_is_found_however_many_messages_came_after_it(harness):
    harness.standin.fail_next("chat.postMessage", mode="drop_after")
    _submit_without_waiting(harness)
    harness.wait_until(lambda: _row(harness, "brief").last_error is not None)
    people = harness.standin.client(token="xoxb-people")
    for n in range(250):  # a busy channel: more than one page of history since
        people.chat_postMessage(channel=AE_CHANNEL, text=f"chatter {n}")
    [found] = _sweep(harness).sent
    assert found.recovered
    assert len(harness.standin.messages(AE_CHANNEL)) == 251


def test_a_sender_and_a_sweep_claiming_the_same_rows_never_deadlock(harness):
    """A click hands its rows to the pool in its own order (the brief, then Homes written
    long before); a sweep claims by id. Claims take rows in id order, so on PostgreSQL the
    two queue behind each other instead of waiting on each other in a cycle."""
    from handoff.effects import home

    services = harness.services
    with services.uow() as uow:
        low, high = uow.outbox.add([home("T1", AE), home("T1", SDR)], now=services.now())
    claimed_first = threading.Event()
    errors: list[BaseException] = []
    swept: list[int] = []

    def sweep() -> None:  # claims by id: the low row, then (a moment later) the high one
        try:
            with services.uow() as uow:
                swept.extend(job.id for job in uow.outbox.claim([low], now=services.now()))
                claimed_first.set()
                time.sleep(0.5)
                swept.extend(job.id for job in uow.outbox.claim([high], now=services.now()))
        except BaseException as exc:
            errors.append(exc)
            claimed_first.set()

    def pool() -> None:  # the rows in the click's order: the high one first
        claimed_first.wait()
        try:
            deliver(services, [high, low], Slack.immediate(services.client))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sweep), threading.Thread(target=pool)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == [] and swept == [low, high]
