"""The same request twice: a retry racing the original, a double press, a late first answer.
Every copy gets a 2xx and the same answer; nothing happens twice."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import func, select

from bot.demo.wizard_driver import step_inputs
from bot.ids import Action
from storage.models import HandoffRow
from tests.support.db import unit
from tests.support.replay import DuplicatingSender, RecordingSender
from tests.support.slack_app import AE, AE_CHANNEL, SDR, SECRET, step_title, wizard_values


@pytest.fixture
def sender(harness) -> RecordingSender:
    recording = RecordingSender(harness.slack.app_url, SECRET, harness.standin)
    recording.record()
    harness.slack = recording
    return recording


def _held_submission(harness, sender, view, values):
    """The signed submission of `view` with `values` typed in, kept back for the test."""
    sender.hold()
    harness.slack.submit_view(SDR, view["id"], step_inputs(view, values))
    return sender.sent[-1]


def _draft(harness):
    with harness.services.uow(read_only=True) as uow:
        return uow.drafts.latest()


def test_a_wizard_step_delivered_twice_at_once_answers_the_same_update_twice(harness, sender):
    view = harness.open_form()
    request = _held_submission(harness, sender, view, wizard_values())
    first, second = sender.copies(request, 2)
    assert first.status == second.status == 200
    assert first.json()["response_action"] == "update"
    assert first.json() == second.json()  # never errors on fields the SDR did not see
    assert step_title(first.json()["view"]).startswith("*Step 2 of 5*")
    assert _draft(harness).step == 1


def test_a_late_copy_of_a_passed_step_is_answered_with_the_current_step(harness, sender):
    view = harness.open_form()
    request = _held_submission(harness, sender, view, wizard_values())
    [on_time] = sender.copies(request, 1)
    step2 = on_time.json()["view"]
    harness.standin.replace_view(view["id"], step2)
    # The SDR moves on to step 3, then the first step's copy arrives late.
    harness.next_step(harness.standin.view(view["id"]), wizard_values())
    [late] = sender.copies(request, 1)
    assert late.status == 200 and late.json()["response_action"] == "update"
    assert step_title(late.json()["view"]).startswith("*Step 3 of 5*")
    assert _draft(harness).step == 2


def test_a_double_click_on_back_moves_one_step_and_keeps_what_was_typed(harness, sender):
    view = harness.open_form()
    view = harness.next_step(view, wizard_values()).view
    assert step_title(view).startswith("*Step 2 of 5*")
    harness.slack.type_into(view["id"], {"industry.answer": "software"})
    sender.hold()
    harness.slack.block_action_in_view(SDR, view["id"], Action.BACK, "wizard_nav")
    updates = len(harness.standin.calls("views.update"))
    replies = sender.copies(sender.sent[-1], 2)
    assert [r.status for r in replies] == [200, 200]
    harness.standin.wait_for("views.update", count=updates + 1)
    draft = _draft(harness)
    assert draft.step == 0  # one step back, not two
    assert draft.answers["industry"] == "software"  # the change on step 2 was kept
    assert len(harness.standin.calls("views.update")) == updates + 1


def test_a_duplicate_send_stores_one_handoff_and_closes_both(harness, sender):
    view = harness.open_form()
    review = harness.walk_to_review(view, wizard_values())
    sender.hold()
    harness.slack.submit_view(SDR, review["id"], {})
    replies = sender.copies(sender.sent[-1], 3)
    assert [(r.status, r.body) for r in replies] == [(200, "")] * 3
    harness.wait_until(lambda: harness.standin.messages(AE_CHANNEL))
    harness.services.pool.wait_idle()
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(func.count()).select_from(HandoffRow)) == 1
    assert len(harness.standin.messages(AE_CHANNEL)) == 1


def test_an_event_retried_by_slack_is_handled_once(harness, sender):
    harness.slack.app_home_opened(AE)
    harness.wait_until(lambda: harness.standin.home(AE))
    harness.services.pool.wait_idle()
    published = len(harness.standin.calls("views.publish"))
    replies = sender.copies(sender.sent[-1], 3, retry=True)
    assert [r.status for r in replies] == [200, 200, 200]
    harness.services.pool.wait_idle()
    assert len(harness.standin.calls("views.publish")) == published


def test_fifty_accepts_at_once_have_one_winner_and_everyone_else_is_told(harness, sender):
    aes = [f"U0AE{n:04}" for n in range(50)]
    for ae in aes:
        harness.standin.add_user(ae, name=ae.lower())
    harness.standin.join(AE_CHANNEL, *aes)  # before the app first reads the channel
    brief = harness.submit_handoff()
    harness.services.pool.wait_idle()
    requests = []
    for ae in aes:
        sender.hold()
        harness.click(ae, brief, Action.ACCEPT)
        requests.append(sender.sent[-1])
    # One copy each, all at once: 50 people pressing Accept in the same instant.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = [r for batch in pool.map(lambda q: sender.copies(q, 1), requests) for r in batch]
    assert all(r.status == 200 for r in replies)
    notes = harness.standin.wait_for("response_url", 49, timeout=30)
    with unit(harness.services) as repo:
        winner = repo.session.scalar(select(HandoffRow.decided_by))
    assert winner in aes
    assert all(f"already *accepted* by <@{winner}>" in n.args["text"] for n in notes)
    harness.services.pool.wait_idle()
    assert len(harness.standin.dms(SDR)) == 1
    assert json.dumps(harness.brief(brief["ts"])).count("Accepted") >= 1


@pytest.mark.slow
def test_every_request_three_times_at_once_changes_nothing_twice(harness):
    """Every wizard step, Send, click and event of N handoffs arrives three times at once
    (N=48 under CI: over 1,000 copies). Slack never retries a slash command (each press has
    its own trigger), so /handoff is sent once."""
    count = 48 if os.environ.get("CI") == "true" else 6
    once = harness.slack
    tripled = DuplicatingSender(once.app_url, SECRET, harness.standin)
    tripled.record()
    for n in range(count):
        harness.slack = once
        view = harness.open_form()
        harness.slack = tripled
        assert harness.send(view, wizard_values(company=f"Company {n}")).action == "close"
        harness.wait_until(lambda n=n: len(harness.standin.messages(AE_CHANNEL)) > n)
        brief = harness.standin.messages(AE_CHANNEL)[-1]
        harness.wait_until(lambda ts=brief["ts"]: harness._recorded(ts))
        harness.click(AE, brief, Action.ACCEPT)
        harness.slack.app_home_opened(SDR)
    harness.wait_until(lambda: len(harness.standin.dms(SDR)) >= count, timeout=30)
    harness.services.pool.wait_idle(timeout=30)
    assert tripled.copies_sent >= count * 7 * 3  # five steps and Send, Accept, the event
    with unit(harness.services) as repo:
        statuses = repo.session.scalars(select(HandoffRow.status)).all()
    assert statuses == ["accepted"] * count
    assert len(harness.standin.messages(AE_CHANNEL)) == count  # one brief each
    assert len(harness.standin.dms(SDR)) == count  # one decision DM each
