"""`handoff serve` with SLACK_APP_TOKEN: the real command, connected over Socket Mode."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from bot.demo.wizard_driver import WizardDriver
from bot.ids import COMMAND, Callback
from slack_standin import SlackStandIn, SocketModeSender, SocketModeStandIn
from storage.migrate import upgrade
from tests.support.cli import HANDOFF
from tests.support.slack_app import AE_CHANNEL, SDR, app_env, wizard_values

APP_TOKEN = "xapp-1-AHANDOFF-1-socket"
# slack_sdk routes its websocket through a proxy named in the environment; not for loopback.
NO_PROXY = {name: "" for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")}


def _wait_connected(socket: SocketModeStandIn, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            socket.wait_connected(timeout=0.2)
            return
        except AssertionError:
            continue
    raise AssertionError("serve did not connect over Socket Mode")


def test_serve_over_socket_mode_acks_and_answers(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'handoff.db'}"
    upgrade(database)
    with SlackStandIn() as slack, SocketModeStandIn(slack) as socket:
        slack.add_channel(AE_CHANNEL, "ae-desk")
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            **app_env(slack, database),
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_SIGNING_SECRET": "",  # Socket Mode needs none
            **NO_PROXY,
        }
        proc = subprocess.Popen(
            [*HANDOFF, "serve", "--no-scheduler"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_connected(socket, proc)
            opened = slack.calls("apps.connections.open")
            assert [c.headers["authorization"] for c in opened] == [f"Bearer {APP_TOKEN}"]
            sender = SocketModeSender(socket)

            assert sender.slash_command(SDR, COMMAND, "Acme").body == ""
            command = socket.envelopes[-1]
            assert command["type"] == "slash_commands"
            assert [a.envelope_id for a in socket.acks] == [command["envelope_id"]]
            views_open = slack.wait_for("views.open")[0]
            assert views_open.ok
            assert views_open.args["trigger_id"] == command["payload"]["trigger_id"]
            view = views_open.response["view"]
            assert view["callback_id"] == Callback.QUALIFY

            assert sender.app_home_opened(SDR).body == ""
            event = socket.envelopes[-1]
            assert event["type"] == "events_api"
            assert socket.acks[-1].envelope_id == event["envelope_id"]
            published = slack.wait_for("views.publish")[0]
            assert published.ok and published.args["user_id"] == SDR
            assert slack.home(SDR) is not None

            # A view_submission's response_action travels back in the ack's payload.
            sent = WizardDriver(slack, sender, SDR).send(view, wizard_values())
            assert sent.action == "close", sent
            slack.wait_for("chat.postMessage")
            assert "Acme" in str(slack.messages(AE_CHANNEL)[0]["blocks"])
            assert slack.problems == []
        finally:
            proc.terminate()
            try:
                out, _ = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
    assert "Traceback" not in out, out
