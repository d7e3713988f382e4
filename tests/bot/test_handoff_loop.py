"""The whole loop through Slack's protocol: signed requests in, Web API calls out."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.ids import COMMAND, Action, Block, Callback
from storage.models import HandoffRow, OutboxRow
from tests.support.db import unit
from tests.support.slack_app import AE, AE2, AE_CHANNEL, SDR, brief_text, wizard_values


def test_slash_command_opens_the_form_prefilled_with_the_company(harness):
    view = harness.open_form(text="Acme <Robotics> & Co")
    assert view["callback_id"] == Callback.QUALIFY
    company = next(b for b in view["blocks"] if b.get("block_id") == "company")
    assert company["element"]["initial_value"] == "Acme <Robotics> & Co"
    assert set(json.loads(view["private_metadata"])) == {"draft", "step", "rev"}


def test_global_shortcut_and_message_shortcut_open_the_form(harness):
    harness.slack.global_shortcut(SDR, Callback.NEW_SHORTCUT)
    harness.standin.wait_for("views.open", 1)
    message = {
        "type": "message",
        "user": SDR,
        "ts": "1700000000.000200",
        "text": "Dana wants a demo next week",
    }
    harness.slack.message_shortcut(SDR, Callback.MESSAGE_SHORTCUT, "C0GENERAL", message)
    harness.standin.wait_for("views.open", 2)
    notes = next(b for b in harness.latest_view()["blocks"] if b.get("block_id") == "notes")
    assert notes["element"]["initial_value"] == "Dana wants a demo next week"


def test_invalid_answers_come_back_on_their_blocks(harness):
    view = harness.open_form()
    past = datetime.now(UTC) - timedelta(days=1)
    values = wizard_values(meeting_at=past, website="not a site")
    outcome = harness.next_step(view, values)
    assert outcome.action == "errors"
    assert set(outcome.errors) == {"meeting_at", "website"}
    assert "past" in outcome.errors["meeting_at"]
    assert harness.standin.calls("chat.postMessage") == []


def test_submission_posts_a_brief_with_accept_and_reject(harness):
    brief = harness.submit_handoff()
    text = brief_text(brief)
    assert "Acme Robotics" in text
    assert "<!date^" in text and "{date_short_pretty} at {time}" in text
    assert f"<@{SDR}>" in text
    for expected in (
        "Manufacturing",
        "200–999",
        "Dana Whitfield",
        "VP Operations",
        "Economic buyer",
        "Lee Park",
        "40 hours",
        "This quarter",
        "Budget identified",
        "Discovery call",
        "Outbound",
        "Score 100 of 100",
        "clears the bar (70)",
        "🔥 *High intent:* Asked for a demo",
        "Account fit  ·  Persona and authority",
        "A paper log per shift",
        "dana@acme-robotics.example",
        "https://acme-robotics.example",
    ):
        assert expected in text
    elements = [e for b in brief["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e.get("text", {}).get("text") for e in elements] == ["Accept", "Reject", None]
    menu = [o["text"]["text"] for o in elements[2]["options"]]
    assert menu == ["Edit (booker only)", "Withdraw (booker only)"]
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert (row.status, row.brief_channel, row.brief_ts) == ("pending", AE_CHANNEL, brief["ts"])


def test_accept_updates_the_brief_and_tells_the_sdr(harness):
    brief = harness.submit_handoff()
    reply = harness.click(AE, brief, Action.ACCEPT)
    assert reply.status == 200
    harness.standin.wait_for("chat.update")
    updated = harness.brief(brief["ts"])
    assert "Accepted" in brief_text(updated) and f"<@{AE}>" in brief_text(updated)
    assert not any(b["type"] == "actions" for b in updated["blocks"])
    harness.wait_until(lambda: harness.standin.dms(SDR))
    dm = harness.standin.dms(SDR)[0]
    assert f"<@{AE}> accepted" in dm["text"] and "Acme Robotics" in dm["text"]


def test_reject_asks_for_a_reason_then_tells_the_sdr(harness):
    brief = harness.submit_handoff()
    harness.click(AE, brief, Action.REJECT)
    harness.standin.wait_for("views.open", 2)
    modal = harness.latest_view()
    assert modal["callback_id"] == Callback.REJECT
    missing = harness.slack.submit_view(AE, modal["id"], {}, enforce_required=False)
    assert harness.slack.apply_view_response(modal["id"], missing).errors.keys() == {
        Block.REJECT_REASON.value
    }
    reply = harness.slack.submit_view(
        AE,
        modal["id"],
        {
            f"{Block.REJECT_REASON}.answer": "no_pain",
            f"{Block.REJECT_COMMENT}.answer": "They are happy with spreadsheets.",
        },
    )
    assert harness.slack.apply_view_response(modal["id"], reply).action == "close"
    harness.standin.wait_for("chat.update")
    text = brief_text(harness.brief(brief["ts"]))
    assert "Rejected" in text and "No real pain or initiative" in text
    assert "happy with spreadsheets" in text
    harness.wait_until(lambda: harness.standin.dms(SDR))
    dm = harness.standin.dms(SDR)[0]["text"]
    assert "rejected" in dm and "No real pain or initiative" in dm and "spreadsheets" in dm


def test_click_on_a_decided_brief_says_who_decided_and_changes_nothing(harness):
    brief = harness.submit_handoff()
    harness.click(AE, brief, Action.ACCEPT)
    harness.standin.wait_for("chat.update")
    updates = len(harness.standin.calls("chat.update"))
    # The second AE still has the old message on screen, buttons and all.
    harness.click(AE2, brief, Action.REJECT)
    harness.click(AE2, brief, Action.ACCEPT)
    notices = harness.standin.wait_for("response_url", 2)
    for call in notices:
        assert f"already *accepted* by <@{AE}>" in call.args["text"]
        assert call.args.get("replace_original") is False
    assert len(harness.standin.calls("chat.update")) == updates
    assert len(harness.standin.calls("views.open")) == 1  # no reject modal for a decided brief
    harness.wait_until(lambda: harness.standin.dms(SDR))
    assert len(harness.standin.dms(SDR)) == 1


def test_reject_modal_submitted_after_someone_accepted_shows_who(harness):
    brief = harness.submit_handoff()
    harness.click(AE2, brief, Action.REJECT)
    harness.standin.wait_for("views.open", 2)
    modal = harness.latest_view()
    harness.click(AE, brief, Action.ACCEPT)
    harness.standin.wait_for("chat.update")
    reply = harness.slack.submit_view(
        AE2, modal["id"], {f"{Block.REJECT_REASON}.answer": "bad_fit"}
    )
    outcome = harness.slack.apply_view_response(modal["id"], reply)
    assert outcome.action == "update"
    assert f"<@{AE}>" in outcome.view["blocks"][0]["text"]["text"]
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(HandoffRow.status)) == "accepted"


def test_sdr_cannot_accept_their_own_handoff(harness):
    brief = harness.submit_handoff()
    harness.click(SDR, brief, Action.ACCEPT)
    notice = harness.standin.wait_for("response_url")[0]
    assert "You booked this meeting" in notice.args["text"]
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(HandoffRow.status)) == "pending"


def test_concurrent_double_accept_has_one_winner(harness):
    brief = harness.submit_handoff()
    barrier = threading.Barrier(2)
    replies = []

    def click(user):
        barrier.wait()
        replies.append(harness.click(user, brief, Action.ACCEPT))

    threads = [threading.Thread(target=click, args=(u,)) for u in (AE, AE2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in replies] == [200, 200]
    harness.standin.wait_for("response_url")
    harness.wait_until(lambda: harness.standin.dms(SDR))
    with unit(harness.services) as repo:
        row = repo.session.scalar(select(HandoffRow))
        assert row.status == "accepted" and row.decided_by in (AE, AE2)
        loser = AE2 if row.decided_by == AE else AE
    notice = harness.standin.calls("response_url")[0]
    assert f"<@{row.decided_by}>" in notice.args["text"]
    assert notice.args["text"] != "" and loser != row.decided_by
    assert len(harness.standin.dms(SDR)) == 1
    assert f"<@{row.decided_by}>" in brief_text(harness.brief(brief["ts"]))


def test_resubmitting_the_same_view_creates_nothing_twice(harness):
    view = harness.open_form()
    review = harness.walk_to_review(view, wizard_values())
    first = harness.slack.submit_view(SDR, review["id"], {})
    # Slack retried, or the SDR double-clicked: the same view arrives again.
    harness.standin.replace_view(review["id"], review)
    second = harness.slack.submit_view(SDR, review["id"], {})
    assert first.status == second.status == 200
    assert second.body == ""  # the second submit just closes the modal
    harness.wait_until(lambda: harness.standin.messages(AE_CHANNEL))
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(func.count()).select_from(HandoffRow)) == 1
    assert len(harness.standin.calls("chat.postMessage")) == 1


def test_a_repeated_accept_click_sends_one_dm(harness):
    brief = harness.submit_handoff()
    harness.click(AE, brief, Action.ACCEPT)
    harness.click(AE, brief, Action.ACCEPT)
    notice = harness.standin.wait_for("response_url")[0]
    assert "already *accepted* by you" in notice.args["text"]
    harness.wait_until(lambda: harness.standin.dms(SDR))
    with unit(harness.services) as repo:
        assert (
            repo.session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "decision_dm")
            )
            == 1
        )
    assert len(harness.standin.dms(SDR)) == 1


def test_bad_signature_is_rejected_with_no_side_effect(harness):
    from urllib.parse import urlencode

    body = urlencode(
        {
            "command": COMMAND,
            "text": "Acme",
            "user_id": SDR,
            "team_id": "T0HANDOFF",
            "trigger_id": harness.standin.issue_trigger_id(),
        }
    ).encode()
    forged = harness.slack.send_raw(
        body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    stale = harness.slack.send_raw(body, "application/x-www-form-urlencoded", timestamp="1")
    assert forged.status == 401 and stale.status == 401
    assert harness.standin.calls("views.open") == []
    with unit(harness.services) as repo:
        assert repo.session.scalar(select(func.count()).select_from(HandoffRow)) == 0


def test_app_home_shows_new_handoff_button_and_own_handoffs(harness):
    harness.submit_handoff()
    harness.services.pool.wait_idle()  # earlier clicks' Homes first
    published = len(harness.standin.calls("views.publish"))
    harness.slack.app_home_opened(SDR)
    harness.standin.wait_for("views.publish", count=published + 1)
    home = harness.standin.home(SDR)
    texts = json.dumps(home)
    assert "New handoff" in texts and "Acme Robotics" in texts
    opened = len(harness.standin.calls("views.open"))
    harness.slack.block_action_in_view(
        SDR, home["id"], Action.NEW_HANDOFF, Block.HOME_ACTIONS, value="new"
    )
    harness.standin.wait_for("views.open", count=opened + 1)
    assert harness.latest_view()["callback_id"] == "handoff_qualify"


def test_healthz_answers_when_the_database_does(harness):
    import urllib.request

    with urllib.request.urlopen(harness.url + "/healthz") as reply:
        assert reply.status == 200 and json.load(reply) == {"ok": True}
