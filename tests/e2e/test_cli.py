"""The `handoff` command as an operator runs it: upgrade, serve, demo, bad settings."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from bot.demo.walkthrough import run_demo
from bot.demo.wizard_driver import WizardDriver
from bot.ids import COMMAND, Action
from bot.settings import load_settings
from slack_standin import SlackSender, SlackStandIn
from tests.support.cli import HANDOFF, cli_env, run_handoff
from tests.support.slack_app import AE, AE_CHANNEL, SDR, SECRET, app_env, wizard_values


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _head(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _wait_healthy(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not become healthy")


def test_upgrade_then_serve_runs_the_loop_under_gunicorn(database_url, tmp_path):
    port = _free_port()
    with SlackStandIn() as slack:
        slack.add_channel(AE_CHANNEL, "ae-desk", members=(AE,))
        env = {**app_env(slack, database_url), "PORT": str(port)}
        upgraded = run_handoff(["db", "upgrade"], env, tmp_path)
        assert upgraded.returncode == 0, upgraded.stderr
        assert f"revision {_head(database_url)}" in upgraded.stdout
        proc = subprocess.Popen(
            [*HANDOFF, "serve", "--workers", "2", "--threads", "4", "--no-scheduler"],
            env=cli_env(env),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, proc)
            sender = SlackSender(url + "/slack/events", SECRET, slack)
            assert sender.slash_command(SDR, COMMAND, "Acme Robotics").status == 200
            view = slack.wait_for("views.open")[0].response["view"]
            sent = WizardDriver(slack, sender, SDR).send(view, wizard_values())
            assert sent.action == "close", sent
            slack.wait_for("chat.postMessage")
            brief = slack.messages(AE_CHANNEL)[0]
            time.sleep(0.5)  # a person reads before clicking
            button = next(
                e
                for b in brief["blocks"]
                for e in b.get("elements", [])
                if e.get("action_id") == Action.ACCEPT
            )
            sender.block_action_in_message(
                AE, AE_CHANNEL, brief["ts"], Action.ACCEPT.value, "brief_actions", button["value"]
            )
            slack.wait_for("chat.update")
            slack.wait_for("chat.postMessage", 2)
            assert "Accepted" in json.dumps(slack.message(AE_CHANNEL, brief["ts"])["blocks"])
            assert slack.dms(SDR) and f"<@{AE}> accepted" in slack.dms(SDR)[0]["text"]
            assert slack.problems == []
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(url + "/nope")
            assert missing.value.code == 404
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=30)
        assert "Booting worker" in out  # gunicorn, not a development server
        assert "Traceback" not in out


def test_demo_walks_the_whole_loop_offline(tmp_path):
    lines: list[str] = []
    settings = load_settings({}, dotenv=False)
    assert run_demo(settings, database=str(tmp_path / "demo.db"), out=lines.append) == 0
    shown = "\n".join(lines)
    for expected in (
        "Acme Robotics",
        "[ Accept ]  [ Reject ]",
        "Accepted by @Bob (AE)",
        "already accepted by @Bob (AE)",
        "Rejected by @Cat (AE)",
        "Reason: Wrong persona",
        "at least 20 characters",
    ):
        assert expected in shown


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"HANDOFF_AE_CHANNEL": "#sales"}, "HANDOFF_AE_CHANNEL"),
        ({"HANDOFF_MANAGERS": "U123,bob"}, "HANDOFF_MANAGERS"),
        ({"HANDOFF_MANAGERS": ",".join(f"U0M{n}X" for n in range(9))}, "HANDOFF_MANAGERS"),
        ({"HANDOFF_AES": "U0AEBOB,@cat"}, "HANDOFF_AES"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN"),
        ({"HANDOFF_CONFIG": "missing.toml"}, "missing.toml"),
    ],
)
def test_bad_setting_stops_with_one_line_naming_it(tmp_path, env, names):
    result = run_handoff(["db", "current"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and names in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_without_credentials_says_what_is_missing(tmp_path):
    result = run_handoff(["serve"], {"SLACK_BOT_TOKEN": ""}, tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_broken_config_file_names_file_and_line(tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('[choices.regions]\nemea = "EMEA"\nbroken =\n')
    result = run_handoff(["db", "current"], {"HANDOFF_CONFIG": str(path)}, tmp_path)
    assert result.returncode == 2
    assert str(path) in result.stderr and "line 3" in result.stderr
