"""Edit and withdraw: the booker only, before a decision, and the brief follows in place."""

from __future__ import annotations

from sqlalchemy import select

from bot.ids import Action, Block
from storage.models import EventRow, HandoffRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE_CHANNEL, SDR, brief_text, step_title, wizard_values


def _manage(harness, user, brief, what):
    value = f"{what}:{brief['blocks'][-2]['elements'][0]['value']}"
    return harness.slack.block_action_in_message(
        user, AE_CHANNEL, brief["ts"], Action.MANAGE, Block.BRIEF_ACTIONS, value, seen=brief
    )


def _events(harness):
    with unit(harness.services) as repo:
        return [e.kind for e in repo.session.scalars(select(EventRow).order_by(EventRow.id))]


def test_booker_edits_and_the_brief_is_updated_in_place_and_marked(harness):
    brief = harness.submit_handoff()
    assert "Score 100 of 100" in brief_text(brief)
    opened = len(harness.standin.calls("views.open"))
    _manage(harness, SDR, brief, "edit")
    harness.standin.wait_for("views.open", count=opened + 1)
    view = harness.latest_view()
    assert view["title"]["text"] == "Edit handoff"
    assert step_title(view).startswith("*Step 1 of 5*")
    assert view["blocks"][1]["element"]["initial_value"] == "Acme Robotics"

    updates = len(harness.standin.calls("chat.update"))
    review = harness.walk_to_review(view, wizard_values(timing="later"))
    assert review["submit"]["text"] == "Save changes"
    reply = harness.slack.submit_view(SDR, review["id"], {})
    assert harness.slack.apply_view_response(review["id"], reply).action == "close"
    harness.standin.wait_for("chat.update", count=updates + 1)

    assert len(harness.standin.messages(AE_CHANNEL)) == 1  # no second brief
    edited = harness.brief(brief["ts"])
    text = brief_text(edited)
    assert "Score 85 of 100" in text
    assert "Later than next quarter" in text
    assert "✏️ edited" in text
    assert _events(harness)[-1] == "edited"
    # The people added once are kept through the edit, not duplicated.
    assert text.count("Lee Park") == 1


def test_someone_else_cannot_edit_or_withdraw(harness):
    brief = harness.submit_handoff()
    for what in ("edit", "withdraw"):
        _manage(harness, AE, brief, what)
    notes = harness.standin.wait_for("response_url", 2)
    assert all(
        n.args["text"] == f"Only <@{SDR}>, who booked this meeting, can edit or withdraw it."
        for n in notes
    )
    assert harness.standin.calls("views.open")[-1].args["view"]["title"]["text"] != "Edit handoff"
    assert _events(harness) == ["submitted", "brief_posted"]


def test_booker_withdraws_and_the_buttons_go(harness):
    brief = harness.submit_handoff()
    opened = len(harness.standin.calls("views.open"))
    _manage(harness, SDR, brief, "withdraw")
    harness.standin.wait_for("views.open", count=opened + 1)
    confirm = harness.latest_view()
    assert confirm["title"]["text"] == "Withdraw handoff"
    updates = len(harness.standin.calls("chat.update"))
    reply = harness.slack.submit_view(SDR, confirm["id"], {})
    assert harness.slack.apply_view_response(confirm["id"], reply).action == "close"
    harness.standin.wait_for("chat.update", count=updates + 1)
    shown = harness.brief(brief["ts"])
    assert "↩️ *Withdrawn* by" in brief_text(shown)
    assert not [b for b in shown["blocks"] if b["type"] == "actions"]

    # An AE whose Slack still shows the old brief clicks Accept: nothing changes.
    harness.click(AE, brief, Action.ACCEPT)
    note = harness.standin.wait_for("response_url")[-1]
    assert "withdrew this handoff" in note.args["text"]
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(HandoffRow.status)) == "withdrawn"


def test_no_edit_after_a_decision(harness):
    brief = harness.submit_handoff()
    harness.click(AE, brief, Action.ACCEPT)
    harness.wait_until(lambda: harness.standin.dms(SDR))
    _manage(harness, SDR, brief, "edit")
    note = harness.standin.wait_for("response_url")[-1]
    assert note.args["text"] == f"This handoff was already *accepted* by <@{AE}>. Nothing changed."


def test_an_edit_saved_after_the_ae_decided_changes_nothing(harness):
    brief = harness.submit_handoff()
    opened = len(harness.standin.calls("views.open"))
    _manage(harness, SDR, brief, "edit")
    harness.standin.wait_for("views.open", count=opened + 1)
    review = harness.walk_to_review(harness.latest_view(), wizard_values(timing="later"))
    harness.click(AE, brief, Action.ACCEPT)  # while she was editing
    harness.wait_until(lambda: harness.standin.dms(SDR))
    reply = harness.slack.submit_view(SDR, review["id"], {})
    outcome = harness.slack.apply_view_response(review["id"], reply)
    assert outcome.action == "update"
    assert "already *accepted*" in brief_text(outcome.view)
    assert "This quarter" in brief_text(harness.brief(brief["ts"]))
