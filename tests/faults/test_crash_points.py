"""`kill -9` of the serving process at each point between a commit and Slack.

The real `handoff serve` (gunicorn) runs with HANDOFF_CRASH_AT set to one of the points in
bot/delivery/crashpoints.py: its worker dies there, on the wizard's Send and again on an
Accept. Each time the app is restarted without the variable and `handoff chase` sweeps what
was left; Slack ends with one brief showing the decision and one decision DM, nothing lost
and nothing twice.
"""

from __future__ import annotations

import contextlib
import http.client
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.crashpoints import POINTS, VARIABLE
from bot.ids import COMMAND, Action
from handoff.model import MessageKind
from slack_standin import SlackSender, SlackStandIn
from tests.support.cli import run_handoff
from tests.support.faults import Served, free_port, serve, tagged, top_level, wait_for
from tests.support.slack_app import AE, AE_CHANNEL, SDR, SECRET, app_env, brief_text, wizard_values

pytestmark = pytest.mark.slow


def _chase(env: dict[str, str], cwd, at: datetime) -> list[str]:
    result = run_handoff(["chase", "--now", at.isoformat()], env, cwd)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout.splitlines()


def _unanswered(send) -> None:
    """Send a request the app may die on before answering (then Slack sees no answer)."""
    with contextlib.suppress(OSError, http.client.HTTPException):
        send()


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_each_point_loses_nothing_and_sends_nothing_twice(database_url, tmp_path, point):
    with SlackStandIn() as slack:
        slack.add_channel(AE_CHANNEL, "ae-desk", members=(AE,))
        for user in (SDR, AE):
            slack.add_user(user, name=user.lower())
        env = {**app_env(slack, database_url), "PORT": str(free_port())}
        crashing = {**env, VARIABLE: point}
        later = datetime.now(UTC) + timedelta(minutes=6)  # past a dead sender's lease

        with contextmanager(serve)(slack, database_url, {}) as app:
            # The SDR fills the wizard up to its review (the app in this process: the
            # draft is in the database, where the served app finds it).
            assert app.slack.slash_command(SDR, COMMAND, "").status == 200
            view = slack.wait_for("views.open")[0].response["view"]
            review = app.walk_to_review(view, wizard_values(stakeholders=[]), SDR)

        with Served(crashing, tmp_path) as app:  # Send; the process dies at `point`
            sender = SlackSender(app.url + "/slack/events", SECRET, slack)
            _unanswered(lambda: sender.submit_view(SDR, review["id"], {}))
            assert app.killed(), "".join(app.lines)

        with Served(env, tmp_path):  # restarted; the sweep delivers what was left
            _chase(env, tmp_path, later)
            [brief] = top_level(slack)
            assert tagged([brief]) == {(1, MessageKind.BRIEF.value, 0): 1}

        with Served(crashing, tmp_path) as app:  # Accept; the process dies at `point`
            sender = SlackSender(app.url + "/slack/events", SECRET, slack)
            button = next(
                e
                for b in brief["blocks"]
                for e in b.get("elements", [])
                if e.get("action_id") == Action.ACCEPT
            )
            _unanswered(
                lambda: sender.block_action_in_message(
                    AE,
                    AE_CHANNEL,
                    brief["ts"],
                    Action.ACCEPT,
                    "brief_actions",
                    button["value"],
                    seen=brief,
                )
            )
            assert app.killed(), "".join(app.lines)

        with Served(env, tmp_path):
            _chase(env, tmp_path, later + timedelta(minutes=12))
            assert _chase(env, tmp_path, later + timedelta(minutes=13)) == []

        assert wait_for(lambda: slack.dms(SDR), timeout=1)
        assert [m["ts"] for m in top_level(slack)] == [brief["ts"]]
        assert "Accepted" in brief_text(slack.message(AE_CHANNEL, brief["ts"]))
        assert tagged(slack.dms(SDR)) == {(1, MessageKind.DECISION_DM.value, 0): 1}
        assert "accepted" in slack.dms(SDR)[0]["text"]
        assert slack.problems == []
