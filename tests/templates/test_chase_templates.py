"""Chase messages and modals with hostile text: valid Block Kit, nothing turns into live syntax."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.surfaces.brief import outcome_line
from bot.surfaces.chase_messages import escalation_message, outcome_question, reminder_message
from bot.surfaces.modals import reassign_view, reschedule_view
from bot.surfaces.notices import note
from handoff.model import MeetingOutcome, Status
from slack_standin import check_blocks, check_view
from tests.support.hostile_text import AE, HOSTILE, LIVE_SYNTAX, make_handoff
from tests.support.qualifications import NOW

CASES = pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))


def _inert(payload: dict) -> None:
    shown = json.dumps(payload["blocks"], ensure_ascii=False) + payload.get("text", "")
    for syntax in LIVE_SYNTAX:
        if syntax == "<!here>":
            continue  # the reminder's own mention of the channel, checked below
        assert syntax not in shown, syntax


@CASES
def test_reminder_and_escalation_are_valid_and_inert(config, text):
    handoff = make_handoff(text)
    reminder = reminder_message(handoff, config, who="<!here>", waited="2 business hours")
    assert check_blocks(reminder["blocks"], "message") == []
    _inert(reminder)
    assert json.dumps(reminder).count("<!here>") == 2  # ours, in text and in the block
    link = "https://acme.slack.com/archives/C1/p1"
    dm = escalation_message(handoff, config, link=link, waited="1 business day")
    assert check_blocks(dm["blocks"], "message") == []
    _inert(dm)
    assert f"<{link}|Open the brief>" in dm["blocks"][0]["text"]["text"]


def test_a_link_that_is_not_a_plain_https_url_is_left_out(config):
    handoff = make_handoff("Acme")
    dm = escalation_message(handoff, config, link="https://x|<!channel>", waited="1 day")
    assert "Open the brief" not in json.dumps(dm) and "<!channel>" not in json.dumps(dm)


@CASES
def test_outcome_question_and_its_answered_form_are_valid_and_inert(config, text):
    handoff = replace(make_handoff(text, Status.ACCEPTED), decided_by=AE)
    for nth in (1, 3):
        ask = outcome_question(handoff, config, nth=nth)
        assert check_blocks(ask["blocks"], "message") == []
        _inert(ask)
    logged = replace(
        handoff,
        outcome=MeetingOutcome.RESCHEDULED.value,
        outcome_by=AE,
        rescheduled_to=NOW + timedelta(days=9),
    )
    done = outcome_question(logged, config, nth=1, done=outcome_line(logged))
    assert check_blocks(done["blocks"], "message") == []
    assert "actions" not in json.dumps(done["blocks"])


@CASES
def test_modals_are_valid_and_inert(text):
    handoff = make_handoff(text, Status.ACCEPTED)
    for view in (reassign_view(handoff), reschedule_view(handoff)):
        assert check_view(view) == []
        _inert(view)


def test_note_renders_what_it_is_given():
    payload = note("📋 done", "Handoff #1")
    assert check_blocks(payload["blocks"], "message") == []
    assert payload["text"] == "📋 done"
