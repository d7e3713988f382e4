"""SlackSender: signed requests shaped like Slack's, built from what the stand-in holds."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from slack_standin import SlackSender, SlackStandIn
from tests.support.fake_apps import SIGNING_SECRET, FakeApp

TRIGGER = re.compile(r"^\d{10}\.\d{6}\.[0-9a-f]{16}$")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value.title()), "value": value}


def field(block_id: str, element: dict[str, Any], *, optional: bool = False) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(block_id.title()),
        "element": {"action_id": block_id, **element},
    }


FORM_VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "qualify",
    "private_metadata": '{"handoff": 42}',
    "title": plain("Qualify"),
    "submit": plain("Save"),
    "notify_on_close": True,
    "blocks": [
        field("company", {"type": "plain_text_input"}),
        field("seats", {"type": "number_input", "is_decimal_allowed": False}),
        field(
            "region",
            {"type": "static_select", "options": [option("emea"), option("amer")]},
        ),
        field("timing", {"type": "radio_buttons", "options": [option("now"), option("later")]}),
        field(
            "tags",
            {"type": "checkboxes", "options": [option("hot"), option("warm")]},
            optional=True,
        ),
        field(
            "products",
            {"type": "multi_static_select", "options": [option("a"), option("b"), option("c")]},
        ),
        field("meeting_day", {"type": "datepicker"}),
        field("meeting_time", {"type": "timepicker"}),
        field("meeting_at", {"type": "datetimepicker"}),
        field("owner", {"type": "users_select"}),
        field("channel", {"type": "conversations_select", "response_url_enabled": True}),
        field("notes", {"type": "plain_text_input", "multiline": True}, optional=True),
        field(
            "extra_tags", {"type": "multi_static_select", "options": [option("x")]}, optional=True
        ),
    ],
}

ANSWERS: dict[str, Any] = {
    "company": "Acme Robotics",
    "seats": 250,
    "region": "emea",
    "timing": "later",
    "tags": ["hot"],
    "products": ["a", "c"],
    "meeting_day": dt.date(2026, 11, 26),
    "meeting_time": "09:30",
    "meeting_at": 1_795_000_000,
    "owner": "U0ANN",
    "channel": "C0DEALS",
}


def open_form(standin: SlackStandIn, slack: WebClient) -> str:
    view_id: str = slack.views_open(trigger_id=standin.issue_trigger_id(), view=FORM_VIEW)["view"][
        "id"
    ]
    return view_id


def test_requests_are_signed_like_slack(sender: SlackSender, fake_app: FakeApp) -> None:
    sender.slash_command("U0ANN", "/handoff", "new Acme")

    request = fake_app.last
    verifier = SignatureVerifier(SIGNING_SECRET)
    assert verifier.is_valid(
        body=request.body,
        timestamp=request.headers["x-slack-request-timestamp"],
        signature=request.headers["x-slack-signature"],
    )
    assert not SignatureVerifier("another-secret").is_valid(
        body=request.body,
        timestamp=request.headers["x-slack-request-timestamp"],
        signature=request.headers["x-slack-signature"],
    )
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"


def test_send_raw_uses_the_given_signature(sender: SlackSender, fake_app: FakeApp) -> None:
    fake_app.reply_with({"error": "invalid request"}, status=401)
    reply = sender.send_raw(b'{"type":"x"}', "application/json", signature="v0=bad", timestamp="1")
    assert (reply.status, reply.json()) == (401, {"error": "invalid request"})
    assert fake_app.last.headers["x-slack-signature"] == "v0=bad"
    assert fake_app.last.headers["x-slack-request-timestamp"] == "1"


def test_slash_command_fields(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn
) -> None:
    fake_app.reply_with("On it")
    reply = sender.slash_command("U0ANN", "/handoff", "new Acme", channel_id="C0SALES")

    form = fake_app.last.form()
    assert (reply.status, reply.body) == (200, "On it")
    assert form["command"] == "/handoff"
    assert form["text"] == "new Acme"
    assert (form["user_id"], form["channel_id"], form["team_id"]) == (
        "U0ANN",
        "C0SALES",
        "T0HANDOFF",
    )
    assert form["is_enterprise_install"] == "false"
    assert form["api_app_id"] == "AHANDOFF"
    assert TRIGGER.match(form["trigger_id"])
    assert form["response_url"].startswith(standin.root_url + "/hooks/")
    assert WebhookClient(form["response_url"]).send(text="done").status_code == 200
    assert standin.ephemerals[0]["channel"] == "C0SALES"


def test_shortcut_trigger_opens_a_modal(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    sender.global_shortcut("U0ANN", "new_handoff")
    payload = fake_app.last.payload()

    assert (payload["type"], payload["callback_id"]) == ("shortcut", "new_handoff")
    assert payload["user"]["id"] == "U0ANN"
    assert "response_url" not in payload
    view = slack.views_open(trigger_id=payload["trigger_id"], view=FORM_VIEW)["view"]
    assert view["callback_id"] == "qualify"


def test_message_shortcut_carries_the_message(
    sender: SlackSender, fake_app: FakeApp, slack: WebClient
) -> None:
    posted = slack.chat_postMessage(channel="C1", text="Meeting with Acme on Thursday")
    sender.message_shortcut("U0ANN", "from_message", "C1", posted["message"])

    payload = fake_app.last.payload()
    assert payload["type"] == "message_action"
    assert payload["message"]["text"] == "Meeting with Acme on Thursday"
    assert (payload["channel"]["id"], payload["message_ts"]) == ("C1", posted["ts"])
    assert payload["response_url"]


def test_block_action_in_message(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {"type": "button", "action_id": "accept", "text": plain("Accept"), "value": "h42"},
                {
                    "type": "static_select",
                    "action_id": "owner",
                    "placeholder": plain("Owner"),
                    "options": [option("ann"), option("bob")],
                },
            ],
        }
    ]
    posted = slack.chat_postMessage(channel="C1", text="Handoff", blocks=blocks)
    sender.block_action_in_message("U0ANN", "C1", posted["ts"], "accept", "decide", "h42")

    payload = fake_app.last.payload()
    (action,) = payload["actions"]
    assert (action["type"], action["action_id"], action["value"]) == ("button", "accept", "h42")
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert payload["message"]["blocks"][0]["block_id"] == "decide"

    sender.block_action_in_message("U0ANN", "C1", posted["ts"], "owner", "decide", "bob")
    select = fake_app.last.payload()
    assert select["actions"][0]["selected_option"] == option("bob")
    assert select["state"]["values"]["decide"]["owner"]["selected_option"] == option("bob")
    with pytest.raises(ValueError, match="not an option"):
        sender.block_action_in_message("U0ANN", "C1", posted["ts"], "owner", "decide", "eve")
    with pytest.raises(ValueError, match="no element with action_id 'reject'"):
        sender.block_action_in_message("U0ANN", "C1", posted["ts"], "reject", "decide", "x")

    WebhookClient(payload["response_url"]).send(text="Accepted", replace_original=True)
    assert standin.message("C1", posted["ts"])["text"] == "Accepted"


def test_submit_view_state_shapes(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    sender.submit_view("U0ANN", view_id, ANSWERS)

    payload = fake_app.last.payload()
    view = payload["view"]
    values = view["state"]["values"]
    assert payload["type"] == "view_submission"
    assert (view["id"], view["callback_id"], view["type"]) == (view_id, "qualify", "modal")
    assert view["private_metadata"] == '{"handoff": 42}'
    assert TRIGGER.match(payload["trigger_id"])
    assert values["company"]["company"] == {"type": "plain_text_input", "value": "Acme Robotics"}
    assert values["seats"]["seats"] == {"type": "number_input", "value": "250"}
    assert values["region"]["region"]["selected_option"] == option("emea")
    assert values["timing"]["timing"]["selected_option"] == option("later")
    assert values["tags"]["tags"]["selected_options"] == [option("hot")]
    assert values["products"]["products"]["selected_options"] == [option("a"), option("c")]
    assert values["meeting_day"]["meeting_day"]["selected_date"] == "2026-11-26"
    assert values["meeting_time"]["meeting_time"]["selected_time"] == "09:30"
    assert values["meeting_at"]["meeting_at"]["selected_date_time"] == 1_795_000_000
    assert values["owner"]["owner"] == {"type": "users_select", "selected_user": "U0ANN"}
    assert values["channel"]["channel"]["selected_conversation"] == "C0DEALS"
    # Unanswered optional inputs come back empty, as Slack sends them.
    assert values["notes"]["notes"] == {"type": "plain_text_input", "value": None}
    assert values["extra_tags"]["extra_tags"]["selected_options"] == []
    (hook,) = payload["response_urls"]
    assert (hook["block_id"], hook["channel_id"]) == ("channel", "C0DEALS")
    assert standin.view(view_id)["state"]["values"] == values


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"region": "apac"}, "'apac' is not an option of 'region'"),
        ({"tags": ["cold"]}, "'cold' is not an option of 'tags'"),
        ({"budget": "1M"}, "no input 'budget' in the view"),
        ({"seats": "2.5"}, "decimals are not allowed"),
    ],
)
def test_submit_view_rejects_what_slack_would_never_send(
    sender: SlackSender,
    fake_app: FakeApp,
    standin: SlackStandIn,
    slack: WebClient,
    change: dict[str, Any],
    message: str,
) -> None:
    view_id = open_form(standin, slack)
    with pytest.raises(ValueError, match=message):
        sender.submit_view("U0ANN", view_id, {**ANSWERS, **change})
    assert fake_app.requests == []


def test_submit_view_needs_required_inputs(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    answers = {k: v for k, v in ANSWERS.items() if k != "company"}
    with pytest.raises(ValueError, match=r"required input company\.company is empty"):
        sender.submit_view("U0ANN", view_id, answers)
    sender.submit_view("U0ANN", view_id, answers, enforce_required=False)
    assert fake_app.last.payload()["view"]["state"]["values"]["company"]["company"]["value"] is None


def test_ambiguous_action_ids_need_the_block_id(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view = {
        **FORM_VIEW,
        "blocks": [
            field("first", {"type": "plain_text_input", "action_id": "name"}),
            field("second", {"type": "plain_text_input", "action_id": "name"}),
        ],
    }
    view_id = slack.views_open(trigger_id=standin.issue_trigger_id(), view=view)["view"]["id"]
    with pytest.raises(ValueError, match="ambiguous"):
        sender.submit_view("U0ANN", view_id, {"name": "x"})
    sender.submit_view("U0ANN", view_id, {"first.name": "Ann", "second.name": "Bob"})
    values = fake_app.last.payload()["view"]["state"]["values"]
    assert (values["first"]["name"]["value"], values["second"]["name"]["value"]) == ("Ann", "Bob")


def test_apply_view_response_follows_update_errors_push_and_close(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    before = standin.view(view_id)["hash"]

    fake_app.reply_with({"response_action": "errors", "errors": {"company": "Unknown company"}})
    outcome = sender.apply_view_response(view_id, sender.submit_view("U0ANN", view_id, ANSWERS))
    assert (outcome.action, outcome.errors) == ("errors", {"company": "Unknown company"})

    step_two = {**FORM_VIEW, "title": plain("Step 2"), "blocks": FORM_VIEW["blocks"][:1]}
    fake_app.reply_with({"response_action": "update", "view": step_two})
    outcome = sender.apply_view_response(view_id, sender.submit_view("U0ANN", view_id, ANSWERS))
    assert outcome.action == "update"
    updated = standin.view(view_id)
    assert updated["title"]["text"] == "Step 2"
    assert updated["hash"] != before
    # What the user typed into surviving blocks is kept, as Slack does.
    assert updated["state"]["values"]["company"]["company"]["value"] == "Acme Robotics"

    fake_app.reply_with({"response_action": "push", "view": {**step_two, "title": plain("Sure?")}})
    outcome = sender.apply_view_response(
        view_id, sender.submit_view("U0ANN", view_id, {"company": "Acme"})
    )
    assert outcome.view is not None
    assert outcome.view["previous_view_id"] == view_id

    fake_app.reply_with("")
    pushed_id = outcome.view["id"]
    closed = sender.apply_view_response(
        pushed_id, sender.submit_view("U0ANN", pushed_id, {"company": "Acme"})
    )
    assert closed.action == "close"
    assert sorted(standin.views) == [view_id]
    assert standin.problems == []


def test_error_keys_must_name_input_blocks(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    fake_app.reply_with({"response_action": "errors", "errors": {"company_name": "Required"}})
    sender.apply_view_response(view_id, sender.submit_view("U0ANN", view_id, ANSWERS))
    assert standin.problems == [
        "view_submission: errors key 'company_name' is not an input block_id"
    ]


def test_invalid_update_view_is_rejected_and_reported(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    broken = {"type": "modal", "title": plain("No submit"), "blocks": FORM_VIEW["blocks"][:1]}
    fake_app.reply_with({"response_action": "update", "view": broken})
    outcome = sender.apply_view_response(view_id, sender.submit_view("U0ANN", view_id, ANSWERS))
    assert outcome.action == "rejected"
    assert standin.problems == [
        "response_action update: view: a modal with an input block needs a submit button"
    ]
    assert standin.view(view_id)["title"]["text"] == "Qualify"


def test_block_action_in_view_keeps_state_and_binds_the_trigger(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    sender.block_action_in_view("U0ANN", view_id, "region", "region", value="amer")

    payload = fake_app.last.payload()
    assert payload["container"] == {"type": "view", "view_id": view_id}
    assert payload["actions"][0]["selected_option"] == option("amer")
    assert payload["view"]["state"]["values"]["region"]["region"]["selected_option"] == option(
        "amer"
    )
    assert "response_url" not in payload
    pushed = slack.views_push(trigger_id=payload["trigger_id"], view={**FORM_VIEW})["view"]
    assert pushed["root_view_id"] == view_id


def test_close_view_notifies_only_when_asked(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    view_id = open_form(standin, slack)
    sender.close_view("U0ANN", view_id)
    payload = fake_app.last.payload()
    assert (payload["type"], payload["is_cleared"]) == ("view_closed", False)
    assert payload["view"]["id"] == view_id
    assert standin.views == {}

    quiet = {**FORM_VIEW, "notify_on_close": False}
    quiet_id = slack.views_open(trigger_id=standin.issue_trigger_id(), view=quiet)["view"]["id"]
    assert sender.close_view("U0ANN", quiet_id) is None
    assert len(fake_app.requests) == 1


def test_events_and_app_home_opened(
    sender: SlackSender, fake_app: FakeApp, standin: SlackStandIn, slack: WebClient
) -> None:
    sender.app_home_opened("U0ANN")
    first = fake_app.last
    envelope = first.json()
    assert first.headers["content-type"] == "application/json"
    assert envelope["type"] == "event_callback"
    assert envelope["event"]["type"] == "app_home_opened"
    assert envelope["event"]["channel"] == standin.dm_channel("U0ANN")
    assert "view" not in envelope["event"]
    assert envelope["authorizations"][0]["user_id"] == "UHANDOFFBOT"
    assert envelope["event_id"].startswith("Ev")

    home = {"type": "home", "blocks": [{"type": "section", "text": plain("Home")}]}
    slack.views_publish(user_id="U0ANN", view=home)
    sender.app_home_opened("U0ANN")
    assert fake_app.last.json()["event"]["view"]["type"] == "home"

    sender.event({"type": "message", "user": "U0ANN", "text": "hi"}, event_id="Ev123")
    assert fake_app.last.json()["event_id"] == "Ev123"
