"""Chases through Slack's protocol, time driven explicitly: each fires once, on time."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.ids import Action, Block, Callback
from handoff.chasing import ChaseKind
from storage.models import HandoffRow, OutboxRow
from tests.support.bulk import store_history
from tests.support.chasing import MANAGERS, ny, start
from tests.support.db import unit
from tests.support.slack_app import AE, AE2, AE_CHANNEL, SDR, brief_text

SUBMITTED = ny(2026, 12, 24, 16, 30)  # Thursday before Christmas, half an hour before closing
MEETING = ny(2026, 12, 29, 15, 0)  # the Tuesday after
MGR = MANAGERS[0]


@pytest.fixture
def chasing(database_url, standin):
    for manager in MANAGERS:
        standin.add_user(manager, name=manager.lower())
    yield from start(database_url, standin, SUBMITTED)


def _button(message, action):
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action.value:
                return block["block_id"], element
    raise AssertionError(f"no {action} on the message")


def _click(chasing, user, channel, message, action):
    block_id, button = _button(message, action)
    return chasing.harness.slack.block_action_in_message(
        user, channel, message["ts"], action.value, block_id, button["value"]
    )


def test_one_handoff_is_chased_across_christmas_and_the_weekend_once_each(chasing):
    standin = chasing.standin
    brief = chasing.submit(SUBMITTED, MEETING)

    assert chasing.sweep(ny(2026, 12, 28, 10, 15)).sent == []  # Christmas and the weekend skipped
    reminder = chasing.sweep(ny(2026, 12, 28, 10, 30)).sent
    assert [(s.kind, s.thread_ts) for s in reminder] == [(ChaseKind.REMINDER, brief["ts"])]
    assert chasing.sweep(ny(2026, 12, 28, 10, 31)).sent == []  # a second sweep sends nothing
    [reply] = chasing.thread(brief)
    assert "<!here>" in reply["text"] and "2 business hours" in reply["text"]
    assert reply["metadata"]["event_payload"]["kind"] == ChaseKind.REMINDER

    assert chasing.sweep(ny(2026, 12, 28, 16, 29)).sent == []
    [escalation] = chasing.sweep(ny(2026, 12, 28, 16, 30)).sent
    assert escalation.channel == chasing.group_dm()
    assert chasing.sweep(ny(2026, 12, 28, 16, 45)).sent == []
    [dm] = standin.messages(chasing.group_dm())
    assert "1 business day" in dm["text"]
    permalink = standin.calls("chat.getPermalink")[0].response["permalink"]
    assert f"<{permalink}|Open the brief>" in brief_text(dm)

    # A manager reassigns it from the DM.
    chasing.set_now(ny(2026, 12, 28, 16, 40))
    _click(chasing, MGR, chasing.group_dm(), dm, Action.REASSIGN)
    standin.wait_for("views.open", 2)
    modal = chasing.harness.latest_view()
    assert modal["callback_id"] == Callback.REASSIGN
    reply = chasing.harness.slack.submit_view(MGR, modal["id"], {f"{Block.REASSIGN_TO}.answer": AE})
    assert chasing.harness.slack.apply_view_response(modal["id"], reply).action == "close"
    chasing.harness.wait_until(lambda: len(chasing.thread(brief)) == 2)
    assert f"<@{AE}>" in chasing.thread(brief)[1]["text"]
    chasing.harness.wait_until(lambda: standin.dms(SDR))
    assert f"<@{MGR}> assigned your handoff" in standin.dms(SDR)[0]["text"]
    assert "Assigned" in brief_text(chasing.harness.brief(brief["ts"]))
    chasing.settled()

    # Outcome: meeting Tuesday 15:00 + 2 hours grace is closing time, so Wednesday 09:00.
    assert chasing.sweep(ny(2026, 12, 29, 17, 0)).sent == []
    [ask] = chasing.sweep(ny(2026, 12, 30, 9, 0)).sent
    assert ask.kind == ChaseKind.OUTCOME and ask.channel == standin.dm_channel(AE)
    assert chasing.sweep(ny(2026, 12, 30, 15, 0)).sent == []  # at most once a business day
    [again] = chasing.sweep(ny(2026, 12, 31, 9, 0)).sent
    assert "Reminder" in again.text
    assert chasing.sweep(ny(2027, 1, 1, 10, 0)).sent == []  # New Year's Day

    # The SDR may not log it; the AE does, from the latest DM.
    question = standin.dms(AE)[-1]
    _click(chasing, SDR, standin.dm_channel(AE), question, Action.OUTCOME_NO_SHOW)
    refusal = standin.wait_for("response_url")[-1]
    assert "only they or a manager" in refusal.args["text"]
    chasing.set_now(ny(2026, 12, 31, 10, 0))
    _click(chasing, AE, standin.dm_channel(AE), question, Action.OUTCOME_OPPORTUNITY)
    chasing.harness.wait_until(lambda: len(standin.dms(SDR)) == 2)
    assert "Held – opportunity created" in standin.dms(SDR)[1]["text"]
    chasing.harness.wait_until(lambda: len(chasing.thread(brief)) == 3)
    assert "Held – opportunity created" in chasing.thread(brief)[2]["text"]
    chasing.harness.wait_until(
        lambda: all("actions" not in str(m["blocks"]) for m in standin.dms(AE))
    )
    assert "Outcome:" in brief_text(chasing.harness.brief(brief["ts"]))
    assert chasing.sweep(ny(2027, 1, 4, 9, 0)).sent == []  # logged: the chase is over

    with unit(chasing.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert row.outcome == "held_opportunity" and row.outcome_by == AE
        assert row.seconds_to_decision == int(
            (ny(2026, 12, 28, 16, 40) - SUBMITTED).total_seconds()
        )
        assert row.seconds_to_outcome == int((ny(2026, 12, 31, 10, 0) - MEETING).total_seconds())
    top = [m for m in standin.messages(AE_CHANNEL) if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert len(top) == 1  # one brief; everything else went into its thread


def test_outcome_is_unknown_after_the_last_ask_never_held(chasing):
    brief = chasing.submit(SUBMITTED, MEETING)
    chasing.set_now(ny(2026, 12, 28, 9, 0))
    chasing.harness.click(AE, brief, Action.ACCEPT)
    chasing.harness.wait_until(lambda: chasing.standin.dms(SDR))
    asks = [
        chasing.sweep(at).sent
        for at in (
            ny(2026, 12, 30, 9, 0),
            ny(2026, 12, 31, 9, 0),
            ny(2027, 1, 4, 9, 0),
            ny(2027, 1, 5, 9, 0),
            ny(2027, 1, 12, 9, 0),
        )
    ]
    assert [len(a) for a in asks] == [1, 1, 1, 0, 0]
    with unit(chasing.services) as repo:
        assert repo.session.scalar(select(HandoffRow.outcome)) is None


def test_rescheduled_meeting_is_asked_about_after_the_new_date(chasing):
    brief = chasing.submit(SUBMITTED, MEETING)
    chasing.set_now(ny(2026, 12, 28, 9, 0))
    chasing.harness.click(AE, brief, Action.ACCEPT)
    chasing.harness.wait_until(lambda: chasing.standin.dms(SDR))
    chasing.sweep(ny(2026, 12, 30, 9, 0))
    question = chasing.standin.dms(AE)[-1]
    chasing.set_now(ny(2026, 12, 30, 9, 30))
    opened = len(chasing.standin.calls("views.open"))
    _click(chasing, AE, chasing.standin.dm_channel(AE), question, Action.OUTCOME_RESCHEDULED)
    chasing.standin.wait_for("views.open", count=opened + 1)
    modal = chasing.harness.latest_view()
    past = chasing.harness.slack.submit_view(
        AE, modal["id"], {f"{Block.RESCHEDULE_TO}.answer": ny(2026, 12, 1, 9, 0)}
    )
    assert chasing.harness.slack.apply_view_response(modal["id"], past).action == "errors"
    reply = chasing.harness.slack.submit_view(
        AE, modal["id"], {f"{Block.RESCHEDULE_TO}.answer": ny(2027, 1, 6, 11, 0)}
    )
    assert chasing.harness.slack.apply_view_response(modal["id"], reply).action == "close"
    chasing.harness.wait_until(lambda: len(chasing.standin.dms(SDR)) == 2)
    assert "Rescheduled" in chasing.standin.dms(SDR)[1]["text"]
    assert chasing.sweep(ny(2027, 1, 6, 12, 59)).sent == []
    [ask] = chasing.sweep(ny(2027, 1, 6, 13, 0)).sent
    assert ask.level == 101  # round 1, first ask


def test_only_managers_reassign_or_nudge_and_a_nudge_goes_out_once(chasing):
    brief = chasing.submit(SUBMITTED, MEETING)
    chasing.sweep(ny(2026, 12, 28, 16, 30))
    dm = chasing.standin.messages(chasing.group_dm())[0]
    opened = len(chasing.standin.calls("views.open"))
    chasing.set_now(ny(2026, 12, 28, 16, 35))
    _click(chasing, AE2, chasing.group_dm(), dm, Action.REASSIGN)
    _click(chasing, AE2, chasing.group_dm(), dm, Action.NUDGE)
    refusals = chasing.standin.wait_for("response_url", 2)
    assert all("Only the managers" in r.args["text"] for r in refusals)
    assert len(chasing.standin.calls("views.open")) == opened
    _click(chasing, MGR, chasing.group_dm(), dm, Action.NUDGE)
    _click(chasing, MANAGERS[1], chasing.group_dm(), dm, Action.NUDGE)
    answers = chasing.standin.wait_for("response_url", 4)[2:]
    assert sorted(a.args["text"][:6] for a in answers) == ["Nudged", "The ch"]
    chasing.settled()  # the nudge is posted after the click's answer, off its thread
    nudges = [m for m in chasing.thread(brief) if "can someone take" in m["text"]]
    assert len(nudges) == 1 and nudges[0].get("reply_broadcast") is True


def test_the_reminder_mentions_the_suggested_ae(chasing):
    brief = chasing.submit(SUBMITTED, MEETING)
    with unit(chasing.services) as repo:
        repo.session.get(HandoffRow, 1).suggested_ae_id = AE2
    chasing.sweep(ny(2026, 12, 28, 10, 30))
    [reply] = chasing.thread(brief)
    assert f"<@{AE2}>" in reply["text"] and "<!here>" not in reply["text"]


def test_no_managers_no_escalation(database_url, standin):
    gen = start(database_url, standin, SUBMITTED)
    chasing = next(gen)
    chasing.services.settings = type(chasing.services.settings)(
        **{**chasing.services.settings.__dict__, "managers": ()}
    )
    chasing.submit(SUBMITTED, MEETING)
    kinds = [s.kind for s in chasing.sweep(ny(2026, 12, 29, 12, 0)).sent]
    assert kinds == [ChaseKind.REMINDER]
    with unit(chasing.services) as repo:
        assert {r.kind for r in repo.session.scalars(select(OutboxRow))} == {
            "brief",
            "home",
            ChaseKind.REMINDER,
        }
    gen.close()


def test_a_new_brief_is_reminded_on_time_however_much_history_is_stored(chasing):
    """1,200 accepted meetings whose outcome is weeks away (each due for timing, as after an
    upgrade) and 1,200 whose outcome chases were all sent: the new brief is still reminded
    on time, and the old ones are timed once, not read again by every sweep."""
    store_history(chasing.services, 1200, now=SUBMITTED)
    brief = chasing.submit(SUBMITTED, MEETING)
    [reminder] = chasing.sweep(ny(2026, 12, 28, 10, 30)).sent
    assert (reminder.kind, reminder.thread_ts) == (ChaseKind.REMINDER, brief["ts"])
    with unit(chasing.services) as repo:
        due = repo.due_for_chase(ny(2026, 12, 28, 10, 31))
        scheduled = repo.session.scalars(
            select(HandoffRow.next_chase_at).where(HandoffRow.company.like("Old company%"))
        ).all()
    # Every stored handoff now waits for its own time, or for nothing; only the new brief is
    # looked at again (its reminder went out, so the escalation gets timed).
    assert [h.qualification.company for h in due] == ["Acme Robotics"]
    assert sum(at is None for at in scheduled) == 1200  # the exhausted leave the due set
    assert all(at is None or at > ny(2027, 1, 1) for at in scheduled)
