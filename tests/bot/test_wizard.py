"""The qualification wizard through Slack's protocol: steps, Back, people, drafts, the bar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.ids import Action, Block, Callback
from storage.models import DraftRow, HandoffRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE_CHANNEL, SDR, brief_text, step_title, wizard_values


def _inputs(view):
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def _people(view):
    return [
        b["text"]["text"] for b in view["blocks"] if b.get("block_id", "").startswith("person_")
    ]


def _draft(harness):
    with unit(harness.services) as repo:
        return repo.session.scalars(select(DraftRow).order_by(DraftRow.id.desc())).first()


def test_each_step_says_where_the_sdr_is_and_advances_by_update(harness):
    view = harness.open_form(text="Acme Robotics")
    values = wizard_values()
    titles = []
    while True:
        titles.append(step_title(view))
        if not _inputs(view):
            break
        if "people_actions" in {b.get("block_id") for b in view["blocks"]}:
            view = harness.add_person(view, values["stakeholders"][0])
        outcome = harness.next_step(view, values)
        assert outcome.action == "update"
        assert outcome.view["id"] == view["id"]  # the same modal, redrawn
        view = outcome.view
    assert titles == [
        "*Step 1 of 5*  ·  Meeting and source",
        "*Step 2 of 5*  ·  Account fit",
        "*Step 3 of 5*  ·  People",
        "*Step 4 of 5*  ·  Need, timing and next steps",
        "*Step 5 of 5*  ·  Review",
    ]
    draft = _draft(harness)
    # The view carries only what it shows: the draft, the step and the draft's rev then.
    assert json.loads(view["private_metadata"]) == {"draft": draft.id, "step": 4, "rev": draft.rev}
    assert view["submit"]["text"] == "Send to AEs"
    assert view["notify_on_close"] is True


def test_back_keeps_what_was_typed_on_both_steps(harness):
    view = harness.open_form()
    values = wizard_values(company="Initech")
    view = harness.next_step(view, values).view
    # On step 2 she picks an industry, then goes back without pressing Next.
    harness.slack.type_into(view["id"], {f"industry.{Action.ANSWER}": "software"})
    view = harness.click_in_view(view, Action.BACK, Block.WIZARD_NAV, "back")
    assert step_title(view).startswith("*Step 1 of 5*")
    shown = _inputs(view)
    assert shown["company"]["initial_value"] == "Initech"
    assert shown["website"]["initial_value"] == "acme-robotics.example"
    assert shown["source"]["initial_option"]["value"] == "outbound"
    assert Block.WIZARD_NAV not in {b.get("block_id") for b in view["blocks"]}  # no Back on 1
    view = harness.next_step(view, {}).view
    assert _inputs(view)["industry"]["initial_option"]["value"] == "software"


def test_a_step_with_errors_stays_open_and_names_each_field(harness):
    view = harness.open_form()
    harness.next_step(view, wizard_values())
    view = harness.next_step(harness.latest_view(), wizard_values()).view  # to People
    bad = wizard_values(contact_email="dana(at)acme", contact_title="x" * 151)
    harness.slack.type_into(view["id"], {})
    outcome = harness.next_step(view, {**bad, "contact_title": "Ops"})
    assert outcome.action == "errors"
    assert outcome.errors == {
        "contact_email": "That is not an email address. Use name@company.com, or leave it empty."
    }
    assert harness.standin.calls("chat.postMessage") == []


def test_people_are_added_checked_and_removed(harness):
    view = harness.open_form()
    values = wizard_values()
    view = harness.next_step(view, values).view
    view = harness.next_step(view, values).view
    harness.slack.type_into(view["id"], {f"contact_name.{Action.ANSWER}": "Dana Whitfield"})
    view = harness.add_person(view, {"name": "Lee Park", "title": "IT lead", "role": "champion"})
    view = harness.add_person(view, {"name": "Sam Roy", "title": "Controller"})
    assert _people(view) == ["• *Lee Park*, IT lead (Champion)", "• *Sam Roy*, Controller"]
    # What she typed before clicking Add is still there.
    assert view["state"]["values"]["contact_name"][Action.ANSWER]["value"] == "Dana Whitfield"

    refused = harness.add_person(view, {"name": "Kim", "title": "   "})
    assert refused.action == "errors"
    assert refused.errors == {Block.PERSON_TITLE.value: "Give their title."}
    harness.standin.close_view(harness.latest_view()["id"])  # she goes back without adding

    view = harness.click_in_view(view, Action.REMOVE_PERSON, "person_0", "0")
    assert _people(view) == ["• *Sam Roy*, Controller"]
    assert [p["name"] for p in _draft(harness).answers["stakeholders"]] == ["Sam Roy"]


def test_ten_people_is_the_most(harness):
    view = harness.open_form()
    values = wizard_values()
    view = harness.next_step(view, values).view
    view = harness.next_step(view, values).view
    for i in range(10):
        view = harness.add_person(view, {"name": f"Person {i}", "title": "Ops"})
    assert len(_people(view)) == 10
    assert "people_actions" not in {b.get("block_id") for b in view["blocks"]}
    assert "That is 10 people" in brief_text(view)


def test_a_closed_wizard_is_a_draft_resumed_from_home(harness):
    view = harness.open_form(text="Umbrella Corp")
    values = wizard_values(company="Umbrella Corp")
    view = harness.next_step(view, values).view
    view = harness.next_step(view, values).view
    harness.slack.type_into(view["id"], {f"contact_name.{Action.ANSWER}": "Alice Wong"})
    harness.services.pool.wait_idle()  # earlier clicks' Homes first
    published = len(harness.standin.calls("views.publish"))
    harness.slack.close_view(SDR, view["id"])
    harness.standin.wait_for("views.publish", count=published + 1)
    draft = _draft(harness)
    assert (draft.step, draft.answers["contact_name"]) == (2, "Alice Wong")

    home = harness.standin.home(SDR)
    assert "*Umbrella Corp*  ·  step 3 of 5" in brief_text(home)
    opened = len(harness.standin.calls("views.open"))
    harness.slack.block_action_in_view(
        SDR, home["id"], Action.RESUME_DRAFT, f"draft_{draft.id}", str(draft.id)
    )
    harness.standin.wait_for("views.open", count=opened + 1)
    resumed = harness.latest_view()
    assert step_title(resumed).startswith("*Step 3 of 5*")
    assert _inputs(resumed)["contact_name"]["initial_value"] == "Alice Wong"
    assert harness.send(resumed, values).action == "close"
    harness.wait_until(lambda: harness.standin.messages(AE_CHANNEL))
    assert "Umbrella Corp" in brief_text(harness.standin.messages(AE_CHANNEL)[0])


def test_an_untouched_wizard_closed_leaves_no_draft(harness):
    harness.slack.global_shortcut(SDR, Callback.NEW_SHORTCUT)
    harness.standin.wait_for("views.open")
    harness.services.pool.wait_idle()  # earlier clicks' Homes first
    published = len(harness.standin.calls("views.publish"))
    harness.slack.close_view(SDR, harness.latest_view()["id"])
    harness.standin.wait_for("views.publish", count=published + 1)
    assert _draft(harness) is None


def test_below_the_bar_can_be_sent_and_the_brief_says_what_is_missing(harness):
    brief = harness.submit_handoff(
        timing="later", next_steps_status="none", next_steps="", intent_signals=[]
    )
    text = brief_text(brief)
    assert "Score 70 of 100" in text
    assert "⚠️ *below bar* (70): Agreed next steps not met" in text
    assert "❌ *Timing:* Timing is later than next quarter" in text
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert (row.score, row.clears_bar, row.rubric_version) == (70, False, "2026.1")
        assert {c.criterion: c.met for c in row.criteria}["next_steps"] is False


def test_a_meeting_that_passed_while_on_the_review_goes_back_to_its_step(harness, monkeypatch):
    view = harness.open_form()
    review = harness.walk_to_review(view, wizard_values())
    later = datetime.now(UTC) + timedelta(days=3)
    monkeypatch.setattr(harness.services, "now", lambda: later)
    reply = harness.slack.submit_view(SDR, review["id"], {})
    outcome = harness.slack.apply_view_response(review["id"], reply)
    assert outcome.action == "update"
    assert step_title(outcome.view).startswith("*Step 1 of 5*")
    banner = "Fix this before sending: Meeting date and time: That time is in the past"
    assert banner in brief_text(outcome.view)
    assert harness.standin.calls("chat.postMessage") == []


def test_a_suggested_ae_is_picked_on_step_one_and_named_on_the_brief(harness):
    brief = harness.submit_handoff(suggested_ae_id=AE)
    assert f"*Suggested AE:* <@{AE}>" in brief_text(brief)
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(HandoffRow.suggested_ae_id)) == AE
