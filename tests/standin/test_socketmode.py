"""SocketModeStandIn: apps.connections.open, hello, envelopes and acks as Slack documents them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from slack_standin import SlackStandIn, SocketModeSender, SocketModeStandIn

APP_TOKEN = "xapp-1-A0HANDOFF-1-standin"


@pytest.fixture
def socket(standin: SlackStandIn) -> Iterator[SocketModeStandIn]:
    standin.add_user("U0ANN", name="ann")
    with SocketModeStandIn(standin) as running:
        yield running


def _open_url(standin: SlackStandIn) -> str:
    return str(standin.client(APP_TOKEN).apps_connections_open(app_token=APP_TOKEN)["url"])


def _receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=5))
    return message


def _error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_connections_open_needs_the_app_level_token(
    standin: SlackStandIn, socket: SocketModeStandIn
) -> None:
    assert _open_url(standin).startswith("ws://127.0.0.1:")
    bot = standin.client("xoxb-bot")
    assert _error(lambda: bot.apps_connections_open(app_token="xoxb-bot")) == (
        "not_allowed_token_type"
    )
    assert _error(standin.client(APP_TOKEN).auth_test) == "not_allowed_token_type"
    assert _error(WebClient(base_url=standin.base_url).auth_test) == "invalid_auth"


def test_without_socket_mode_there_is_no_url(standin: SlackStandIn) -> None:
    client = standin.client(APP_TOKEN)
    assert _error(lambda: client.apps_connections_open(app_token=APP_TOKEN)) == "unknown_method"


def test_hello_first_then_envelopes_shaped_as_documented(
    standin: SlackStandIn, socket: SocketModeStandIn
) -> None:
    with connect(_open_url(standin)) as ws:
        hello = _receive(ws)
        assert hello["type"] == "hello"
        assert hello["connection_info"] == {"app_id": standin.identity.app_id}
        assert hello["num_connections"] == 1
        socket.wait_connected()

        command_id = socket.send("slash_commands", {"command": "/handoff", "text": ""})
        event_id = socket.send("events_api", {"type": "event_callback", "event": {}})
        command, event = _receive(ws), _receive(ws)
        assert set(command) == {"envelope_id", "type", "payload", "accepts_response_payload"}
        assert command["envelope_id"] == command_id and command["accepts_response_payload"]
        assert event == {
            "envelope_id": event_id,
            "type": "events_api",
            "payload": {"type": "event_callback", "event": {}},
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        request = SocketModeRequest.from_dict(event)  # what slack_sdk makes of it
        assert request is not None and request.retry_attempt == 0

        ws.send(json.dumps({"envelope_id": command_id, "payload": {"text": "hi"}}))
        assert socket.wait_for_ack(command_id).payload == {"text": "hi"}
    assert standin.problems == []


def test_a_url_slack_did_not_issue_is_refused(
    standin: SlackStandIn, socket: SocketModeStandIn
) -> None:
    forged = _open_url(standin).split("?")[0] + "?ticket=forged"
    with pytest.raises(InvalidStatus) as refused:
        connect(forged)
    assert refused.value.response.status_code == 401
    assert standin.problems == ["socket mode: /link/?ticket=forged was not issued by Slack"]


def test_acks_that_slack_would_not_take_are_problems(
    standin: SlackStandIn, socket: SocketModeStandIn
) -> None:
    with connect(_open_url(standin)) as ws:
        _receive(ws)
        socket.wait_connected()
        event_id = socket.send("events_api", {"type": "event_callback", "event": {}})
        _receive(ws)
        ws.send(json.dumps({"envelope_id": event_id, "payload": {"text": "ignored"}}))
        ws.send(json.dumps({"envelope_id": event_id}))
        ws.send(json.dumps({"envelope_id": "nobody-sent-this"}))
        socket.wait_for_ack(event_id)
        ws.close()
    assert [p.split(": ", 1)[1] for p in standin.problems] == [
        f"events_api {event_id} acked with a payload Slack ignores",
        f"envelope {event_id} acked twice",
        'message that acks no envelope sent: {"envelope_id": "nobody-sent-this"}',
    ]


@pytest.fixture
def bolt(standin: SlackStandIn, socket: SocketModeStandIn) -> Iterator[SocketModeHandler]:
    app = App(client=standin.client(), signing_secret="unused-in-socket-mode")

    @app.command("/handoff")
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack(text=f"Opening a handoff for {body['text']}")
        client.views_open(trigger_id=body["trigger_id"], view=_modal())

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": _blocks()})

    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()
    socket.wait_connected()
    yield handler
    handler.close()


def test_a_bolt_app_acks_and_answers_over_the_socket(
    standin: SlackStandIn, socket: SocketModeStandIn, bolt: SocketModeHandler
) -> None:
    sender = SocketModeSender(socket)
    reply = sender.slash_command("U0ANN", "/handoff", "Acme")
    assert reply.json()["text"] == "Opening a handoff for Acme"
    opened = standin.wait_for("views.open")[0]
    assert opened.args["trigger_id"] == socket.envelopes[-1]["payload"]["trigger_id"]

    assert sender.app_home_opened("U0ANN").body == ""  # events are acked without a payload
    assert standin.wait_for("views.publish")[0].args["user_id"] == "U0ANN"
    assert [a.envelope_id for a in socket.acks] == [e["envelope_id"] for e in socket.envelopes]
    assert standin.problems == []


def test_refresh_requested_makes_the_app_reconnect_with_a_new_url(
    standin: SlackStandIn, socket: SocketModeStandIn, bolt: SocketModeHandler
) -> None:
    socket.refresh()
    socket.wait_connected(count=2)
    urls = [c.response["url"] for c in standin.wait_for("apps.connections.open", count=2)]
    assert urls[0] != urls[1]
    reply = SocketModeSender(socket).slash_command("U0ANN", "/handoff", "Acme")
    assert reply.json()["text"] == "Opening a handoff for Acme"
    assert standin.problems == []


def _blocks() -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]


def _modal() -> dict[str, Any]:
    title = {"type": "plain_text", "text": "Handoff"}
    return {"type": "modal", "callback_id": "cb", "title": title, "blocks": _blocks()}
