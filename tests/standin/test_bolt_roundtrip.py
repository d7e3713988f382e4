"""A real Bolt app between SlackSender and SlackStandIn: the whole loop the bot tests rely on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_standin import SlackSender, SlackStandIn
from tests.support.fake_apps import SIGNING_SECRET, BoltServer

FORM = {
    "type": "modal",
    "callback_id": "qualify",
    "title": {"type": "plain_text", "text": "Qualify"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "company",
            "label": {"type": "plain_text", "text": "Company"},
            "element": {"type": "plain_text_input", "action_id": "company"},
        }
    ],
}


def build_app(client: WebClient) -> App:
    app = App(client=client, signing_secret=SIGNING_SECRET)

    @app.command("/handoff")
    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=FORM)

    @app.view("qualify")
    def submitted(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        company = view["state"]["values"]["company"]["company"]["value"]
        if company == "nobody":
            ack(response_action="errors", errors={"company": "Which company?"})
            return
        ack()
        button = {
            "type": "button",
            "action_id": "accept",
            "text": {"type": "plain_text", "text": "Accept"},
        }
        client.chat_postMessage(
            channel="C0DEALS",
            text=f"New handoff: {company}",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{company}*"}},
                {"type": "actions", "block_id": "decide", "elements": [button]},
            ],
        )

    @app.action("accept")
    def accept(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Accepted", replace_original=True)

    return app


@pytest.fixture
def bolt_sender(standin: SlackStandIn) -> Iterator[SlackSender]:
    app = build_app(standin.client())
    with BoltServer(app) as server:
        yield SlackSender(server.url, SIGNING_SECRET, standin)


def test_command_modal_submission_and_button_round_trip(
    standin: SlackStandIn, bolt_sender: SlackSender
) -> None:
    assert len(standin.calls("auth.test")) == 1  # Bolt checks the token at construction

    assert bolt_sender.slash_command("U0ANN", "/handoff", "").status == 200
    (opened,) = standin.wait_for("views.open")
    view_id = opened.response["view"]["id"]

    rejected = bolt_sender.submit_view("U0ANN", view_id, {"company": "nobody"})
    outcome = bolt_sender.apply_view_response(view_id, rejected)
    assert outcome.errors == {"company": "Which company?"}

    accepted = bolt_sender.submit_view("U0ANN", view_id, {"company": "Acme"})
    assert bolt_sender.apply_view_response(view_id, accepted).action == "close"
    assert standin.views == {}
    (posted,) = standin.wait_for("chat.postMessage")
    ts = posted.response["ts"]
    assert standin.message("C0DEALS", ts)["text"] == "New handoff: Acme"

    bolt_sender.block_action_in_message("U0ANN", "C0DEALS", ts, "accept", "decide", None)
    standin.wait_for("response_url")
    assert standin.message("C0DEALS", ts)["text"] == "Accepted"
    assert standin.problems == []


@pytest.mark.parametrize(
    ("signature", "age"),
    [("v0=" + "0" * 64, 0), (None, 600)],
    ids=["wrong-signature", "stale-timestamp"],
)
def test_bolt_rejects_bad_signatures(
    bolt_sender: SlackSender, signature: str | None, age: int
) -> None:
    body = b"command=%2Fhandoff&text=&user_id=U0ANN"
    reply = bolt_sender.send_raw(
        body,
        "application/x-www-form-urlencoded",
        signature=signature,
        timestamp=str(int(time.time()) - age),
    )
    assert reply.status == 401
