"""The fault matrix's shared parts: its size, the app served against a failing stand-in, a
person who tries again when Slack fails them, and the ledger of what reached Slack."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.demo.wizard_driver import step_inputs
from bot.entrypoints.web import create_wsgi
from bot.ids import COMMAND, Action, Block
from bot.roles import Directory
from bot.services import make_services
from bot.settings import load_settings
from bot.surfaces.refusals import ROLES_UNKNOWN
from handoff.model import Status
from slack_standin import SlackSender, SlackStandIn
from tests.support.cli import HANDOFF, cli_env
from tests.support.slack_app import AE_CHANNEL, SECRET, Harness, app_env

# Every Web API method the bot calls on the way from a wizard to a decision and its sweeps.
METHODS = (
    "views.open",
    "views.publish",
    "chat.postMessage",
    "chat.update",
    "conversations.open",
    "conversations.history",
    "conversations.replies",
    "chat.getPermalink",
    "conversations.members",
)
API_TIMEOUT = 1  # SLACK_API_TIMEOUT for the app under test; a "timeout" fault answers later


CI_SIZE = 500  # under CI=true: the size the matrix is meant for


def fault_size(local: int = 20) -> int:
    """How many handoffs the matrix runs: HANDOFF_FAULT_N, else CI_SIZE under CI=true."""
    value = os.environ.get("HANDOFF_FAULT_N")
    if value:
        return int(value)
    return CI_SIZE if os.environ.get("CI") == "true" else local


def serve(standin: SlackStandIn, database_url: str, env: dict[str, str]) -> Iterator[Harness]:
    """The app over HTTP with its delivery pool, talking to `standin` through the real client."""
    settings = load_settings(
        {**app_env(standin, database_url), "SLACK_API_TIMEOUT": str(API_TIMEOUT), **env},
        dotenv=False,
    )
    services = make_services(settings)
    # The AE list is read again every second (not every five minutes), so the faults reach
    # conversations.members many times: a failed read keeps the list read before.
    services.roles = Directory(settings, services.client, ttl=1.0)
    app = build_app(services)
    with LocalServer(create_wsgi(app, services.engine)) as server:
        slack = TracingSender(server.url + "/slack/events", SECRET, standin)
        yield Harness(standin, slack, "", services, server.url)
    services.close()


def wait_for(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


class TracingSender(SlackSender):
    """A SlackSender that remembers, per thread, the trigger_id of the last payload it sent:
    several people act at once, and each must find the modal their own press opened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def _deliver(self, kind: str, payload: dict[str, Any]) -> Any:
        self._local.trigger = payload.get("trigger_id")
        return super()._deliver(kind, payload)

    @property
    def last_trigger(self) -> str | None:
        return getattr(self._local, "trigger", None)


@dataclass
class Person:
    """Someone in Slack: when a modal does not open, they press the button again."""

    harness: Harness
    tries: int = 6
    unanswered: int = 0  # presses the app did not answer in time (Slack's 3 seconds)

    def _opened(self, trigger: str | None) -> str | None:
        """The view a views.open with this trigger opened (even if its answer was lost)."""
        for call in self.harness.standin.calls("views.open"):
            if call.args.get("trigger_id") == trigger and isinstance(call.response, dict):
                view = call.response.get("view")
                if view:
                    return str(view["id"])
        return None

    def _opens(self, press: Any) -> dict[str, Any]:
        slack = self.harness.slack
        assert isinstance(slack, TracingSender)
        for _ in range(self.tries):
            press()
            trigger = slack.last_trigger
            # The app's client retries a failed views.open a few times before it gives up.
            if wait_for(lambda t=trigger: self._opened(t), timeout=API_TIMEOUT * 8):
                view_id = self._opened(trigger)
                assert view_id is not None
                return self.harness.standin.view(view_id)
        raise AssertionError(f"no modal opened after {self.tries} presses")

    def open_wizard(self, user: str) -> dict[str, Any]:
        return self._opens(lambda: self.harness.slack.slash_command(user, COMMAND, ""))

    def _submit_view(self, user: str, view_id: str, answers: dict[str, Any]) -> Any:
        """Press the modal's button; when the app answers late (Slack then shows the person
        an error and keeps the modal open), press it again."""
        slack = self.harness.slack
        for _ in range(self.tries):
            reply = slack.submit_view(user, view_id, answers)
            if reply.status == 200:
                return slack.apply_view_response(view_id, reply)
            self.unanswered += 1
        raise AssertionError(f"no answer to {self.tries} presses on {view_id}")

    def submit(self, user: str, values: dict[str, Any]) -> None:
        view = self.open_wizard(user)
        while any(b["type"] == "input" for b in view["blocks"]):
            outcome = self._submit_view(user, view["id"], step_inputs(view, values))
            assert outcome.action == "update", outcome
            view = outcome.view
        outcome = self._submit_view(user, view["id"], {})
        assert outcome.action == "close", outcome

    def accept(self, user: str, brief: dict[str, Any], handoff_id: int) -> None:
        """Press Accept; told that Slack could not say who the AEs are, press it again."""
        for _ in range(self.tries):
            told = self._refusals(user)
            reply = self.harness.click(user, brief, Action.ACCEPT)
            assert reply.status == 200, reply
            if not wait_for(
                lambda told=told: self._decided(handoff_id) or self._refusals(user) > told,
                timeout=API_TIMEOUT * 8,
            ):
                raise AssertionError(f"Accept on {handoff_id} changed nothing and said nothing")
            if self._decided(handoff_id):
                return
        raise AssertionError(f"handoff {handoff_id} still undecided after {self.tries} presses")

    def _refusals(self, user: str) -> int:
        return sum(
            1
            for e in self.harness.standin.ephemerals
            if e["user"] == user and e["text"] == ROLES_UNKNOWN
        )

    def _decided(self, handoff_id: int) -> bool:
        with self.harness.services.uow(read_only=True) as uow:
            handoff = uow.handoffs.get(handoff_id)
        return handoff is not None and handoff.status is not Status.PENDING

    def reject(self, user: str, brief: dict[str, Any], reason: str) -> None:
        modal = self._opens(lambda: self.harness.click(user, brief, Action.REJECT))
        answers = {f"{Block.REJECT_REASON}.{Action.ANSWER}": reason}
        assert self._submit_view(user, modal["id"], answers).action == "close"


def tagged(messages: list[dict[str, Any]]) -> Counter[tuple[int, str, int]]:
    """How many messages carry each (handoff, kind, level) in their metadata."""
    seen: Counter[tuple[int, str, int]] = Counter()
    for m in messages:
        payload = (m.get("metadata") or {}).get("event_payload") or {}
        if payload:
            seen[payload["handoff_id"], payload["kind"], payload["level"]] += 1
    return seen


def top_level(standin: SlackStandIn) -> list[dict[str, Any]]:
    return [m for m in standin.messages(AE_CHANNEL) if m.get("thread_ts") in (None, m["ts"])]


def as_sent(blocks: list[dict[str, Any]], shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`shown` without the block ids Slack made up for blocks that were sent without one."""
    if len(blocks) != len(shown):
        return shown
    return [
        s if "block_id" in b else {k: v for k, v in s.items() if k != "block_id"}
        for b, s in zip(blocks, shown, strict=True)
    ]


class Served:
    """`handoff serve` as a subprocess (gunicorn, one worker, no scheduler): a with-block
    starts it and waits until it is healthy, and stops it at the end."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self.lines: list[str] = []
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Served:
        self.proc = subprocess.Popen(
            [*HANDOFF, "serve", "--workers", "1", "--threads", "4", "--no-scheduler"],
            env=cli_env(self.env),
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not wait_for(self._healthy, timeout=30):
            self.__exit__(None, None, None)
            raise AssertionError("serve did not become healthy:\n" + "".join(self.lines))
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError("serve exited:\n" + "".join(self.lines))
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=1) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def killed(self, timeout: float = 20) -> bool:
        """Whether the serving process (gunicorn's worker) died of SIGKILL."""
        return wait_for(lambda: any("was sent SIGKILL" in line for line in self.lines), timeout)

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
