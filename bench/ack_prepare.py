"""Preparing what the ack benchmark clicks: handoffs walked through the real wizard, and
open wizards, with waits that read only the Slack stand-in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.ack_kinds import AE_CHANNEL, Brief, Calls, answers, company
from bench.ack_load import TimedSender
from bot.demo.wizard_driver import WizardDriver
from bot.ids import COMMAND
from slack_standin import SlackStandIn


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"waited {timeout:.0f}s for {what}")


def quiet(standin: SlackStandIn, seconds: float = 1.0, timeout: float = 120.0) -> float:
    """Wait until no call reached the stand-in for ``seconds`` (at most ``timeout``); the
    time of the last call."""
    deadline = time.monotonic() + timeout
    while True:
        calls = standin.calls()
        last = calls[-1].time if calls else 0.0
        if time.monotonic() - last >= seconds or time.monotonic() > deadline:
            return last
        time.sleep(0.1)


def open_wizard(standin: SlackStandIn, sender: TimedSender, user: str, name: str) -> str:
    """``/handoff name`` as ``user``; the view id of the wizard the app opened."""
    sender.forget()
    reply = sender.slash_command(user, COMMAND, name)
    if reply.status != 200:
        raise RuntimeError(f"/handoff answered HTTP {reply.status}")
    trigger = sender.last_payload["trigger_id"]
    opened = wait_until(
        lambda: Calls(standin).opened.get(trigger), 30, f"the wizard of {name} to open"
    )
    if not opened.ok:
        raise RuntimeError(f"views.open failed: {opened.response.get('error')}")
    return str(opened.response["view"]["id"])


# What went wrong while preparing and was tried again: under load the app can miss Slack's
# 3 seconds on a wizard step too (Bolt then answers 404), or a trigger expires.
RETRIED: list[str] = []


def retried(attempt: Callable[[], Any], what: str, tries: int = 3) -> Any:
    for left in range(tries - 1, -1, -1):
        try:
            return attempt()
        except (AssertionError, RuntimeError) as exc:
            if not left:
                raise
            RETRIED.append(f"{what}: {exc}")


def open_wizards(
    standin: SlackStandIn, sender: TimedSender, wanted: Iterable[tuple[str, str]], workers: int = 4
) -> list[tuple[str, str, str]]:
    """(user, company, view id) for each (user, company) in ``wanted``."""

    def one(user: str, name: str) -> tuple[str, str, str]:
        view_id = retried(lambda: open_wizard(standin, sender, user, name), f"/handoff {name}")
        return user, name, view_id

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda w: one(*w), list(wanted)))


def prepare_briefs(
    standin: SlackStandIn, sender: TimedSender, n: int, tag: str, workers: int = 4
) -> list[Brief]:
    """``n`` handoffs walked through the real wizard by ``n`` SDRs, and their posted briefs."""
    names = {company(tag, i): f"U0SDR{tag}B{i:04d}" for i in range(n)}

    def walk(name: str) -> None:
        sdr = names[name]
        view = standin.view(open_wizard(standin, sender, sdr, name))
        outcome = WizardDriver(standin, sender, sdr).send(view, answers(name))
        if outcome.action != "close":
            raise RuntimeError(f"the wizard did not close: {outcome}")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda name: retried(lambda: walk(name), f"the wizard of {name}"), names))

    def posted() -> dict[str, dict[str, Any]]:
        found = {header(m): m for m in standin.messages(AE_CHANNEL)}
        return found if all(name in found for name in names) else {}

    found = wait_until(posted, 120, f"{n} briefs in the AE channel")
    quiet(standin)  # the app recorded where each brief is and published the Homes
    return [Brief(found[name]["ts"], name, sdr, found[name]) for name, sdr in names.items()]


def header(message: dict[str, Any]) -> str:
    """The company a brief is about, from its header block (``🤝 Company``)."""
    blocks = message.get("blocks") or [{}]
    text = str(blocks[0].get("text", {}).get("text", ""))
    return text.removeprefix("🤝 ")
