"""What the ack benchmark sends, and how it knows each request's effects reached Slack.

Every payload is built by the project's own builders (``SlackSender``, ``WizardDriver``), and
every effect is read back from the Slack stand-in, never from the app's database: the
benchmark sees the app only as Slack does.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.ack_load import Result, Run, TimedSender
from bot.demo.wizard_driver import step_inputs
from bot.ids import COMMAND, Action, Block
from slack_standin import Call, Reply, SlackStandIn

AE_CHANNEL = "C0AEDESK"
# None: an effect has not arrived yet; a float: when the last one did; a str: why it never will.
Effect = float | str | None


def company(tag: str, i: int) -> str:
    """Unique, and no name is the start of another."""
    return f"Bench {tag} {i:04d} Ltd"


def answers(name: str) -> dict[str, Any]:
    """What an SDR types across the wizard's steps, by field (the input's block id)."""
    meeting = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    return {
        "company": name,
        "website": "acme-robotics.example",
        "meeting_at": meeting,
        "source": "outbound",
        "industry": "manufacturing",
        "company_size": "200_999",
        "region": "emea",
        "contact_name": "Dana Whitfield",
        "contact_title": "VP Operations",
        "contact_email": "dana@acme-robotics.example",
        "contact_role": "economic_buyer",
        "pain": "Unplanned downtime on two lines costs them about 40 hours a month.",
        "current_solution": "A paper log per shift and a weekly spreadsheet.",
        "trigger": "A third plant opens in March.",
        "timing": "this_quarter",
        "budget_status": "identified",
        "next_steps_status": "agreed",
        "next_steps": "Discovery call with Dana on Thursday.",
        "intent_signals": ["demo_request"],
    }


@dataclass(frozen=True)
class Brief:
    ts: str
    company: str
    sdr: str
    message: dict[str, Any]  # as posted: what an AE sees and clicks


class Calls:
    """One snapshot of the calls the stand-in recorded, indexed for the effect checks."""

    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self.opened: dict[str, Call] = {}  # by trigger_id
        self.updated: dict[str, Call] = {}  # the last chat.update of each message ts
        self.posted: dict[str, list[float]] = defaultdict(list)  # by channel
        self.published: dict[str, list[float]] = defaultdict(list)  # Home, by user
        for call in standin.calls():
            if call.method == "views.open":
                self.opened[str(call.args.get("trigger_id"))] = call
            elif not call.ok:
                continue
            elif call.method == "chat.update":
                self.updated[str(call.args.get("ts"))] = call
            elif call.method == "chat.postMessage":
                self.posted[str(call.response["channel"])].append(call.time)
            elif call.method == "views.publish":
                self.published[str(call.args.get("user_id"))].append(call.time)

    def modal_opened(self, trigger_id: str) -> Effect:
        call = self.opened.get(trigger_id)
        if call is None:
            return None
        return call.time if call.ok else f"views.open: {call.response.get('error')}"

    def home_after(self, user: str, since: float) -> float | None:
        return next((t for t in self.published.get(user, []) if t >= since), None)

    def dm_after(self, user: str, since: float) -> float | None:
        posted = self.posted.get(self.standin.dm_channel(user), [])
        return next((t for t in posted if t >= since), None)

    def brief_shows(self, ts: str, status: str) -> float | None:
        call = self.updated.get(ts)
        if call is None or status not in json.dumps(call.args.get("blocks")):
            return None
        return call.time


class Kind:
    """One kind of request: how to send number ``i``, and when its effects had arrived."""

    name = ""

    def send(self, sender: TimedSender, i: int) -> Reply:
        raise NotImplementedError

    def effect(self, result: Result, calls: Calls) -> Effect:
        raise NotImplementedError

    def after(self, run: Run) -> None:
        """Once the app's run is over: what Slack does with the answers, if anything."""


class SlashCommands(Kind):
    """``/handoff Company``: the app acks, then opens the wizard with views.open."""

    name = "/handoff"

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def user(self, i: int) -> str:
        return f"U0SDR{self.tag}W{i:04d}"

    def send(self, sender: TimedSender, i: int) -> Reply:
        return sender.slash_command(self.user(i), COMMAND, company(self.tag, i))

    def effect(self, result: Result, calls: Calls) -> Effect:
        return calls.modal_opened(result.payload["trigger_id"])

    def opened(self, run: Run, calls: Calls) -> list[tuple[str, str, str]]:
        """(user, company, view id) of each wizard the run opened."""
        found = []
        for r in run.results:
            call = calls.opened.get(r.payload.get("trigger_id", ""))
            if call is not None and call.ok:
                view_id = call.response["view"]["id"]
                found.append((self.user(r.index), company(self.tag, r.index), view_id))
        return found


class WizardSteps(Kind):
    """Next on the wizard's first step: the ack itself carries step 2 (response_action)."""

    name = "wizard step"

    def __init__(
        self, standin: SlackStandIn, slack: TimedSender, wizards: list[tuple[str, str, str]]
    ) -> None:
        self.standin = standin
        self.slack = slack  # applies the app's answers as Slack's client does
        self.wizards = wizards
        self.outcomes: dict[int, str] = {}

    def send(self, sender: TimedSender, i: int) -> Reply:
        user, name, view_id = self.wizards[i]
        view = self.standin.view(view_id)
        return sender.submit_view(user, view_id, step_inputs(view, answers(name)))

    def after(self, run: Run) -> None:
        for r in run.results:
            if r.reply is not None and r.status == 200:
                view_id = self.wizards[r.index][2]
                self.outcomes[r.index] = self.slack.apply_view_response(view_id, r.reply).action

    def effect(self, result: Result, calls: Calls) -> Effect:
        outcome = self.outcomes.get(result.index)
        return result.answered if outcome == "update" else f"the step answered {outcome!r}"


def decider(tag: str, name: str, i: int) -> str:
    """The AE who sends click `i` of a run: one of their own, so every Accept is a first."""
    return f"U0AE{tag}{name[0]}{i:04d}"


def deciders(tags: list[str], n: int) -> list[str]:
    """Every AE the runs tagged `tags` click as: members of the AE channel before the app
    first reads it (it keeps the list for minutes, as it would in Slack)."""
    return [decider(t, name, i) for t in tags for name in ("Accept", "Reject") for i in range(n)]


class Clicks(Kind):
    """Accept or Reject on a brief in the AE channel, one brief per click."""

    def __init__(self, action: Action, briefs: list[Brief], tag: str) -> None:
        self.action = action
        self.briefs = briefs
        self.tag = tag
        self.name = "Accept" if action is Action.ACCEPT else "Reject"

    def ae(self, i: int) -> str:
        return decider(self.tag, self.name, i)

    def send(self, sender: TimedSender, i: int) -> Reply:
        brief = self.briefs[i]
        return sender.block_action_in_message(
            self.ae(i),
            AE_CHANNEL,
            brief.ts,
            self.action.value,
            Block.BRIEF_ACTIONS.value,
            button_value(brief.message, self.action),
            seen=brief.message,
        )

    def effect(self, result: Result, calls: Calls) -> Effect:
        if self.action is Action.REJECT:
            return calls.modal_opened(result.payload["trigger_id"])
        return decided(calls, self.briefs[result.index], self.ae(result.index), result.sent)


def decided(calls: Calls, brief: Brief, ae: str, since: float, status: str = "Accepted") -> Effect:
    """A decision's effects: the brief updated, the SDR's DM, the Homes of the SDR and the AE."""
    times = [
        calls.brief_shows(brief.ts, status),
        calls.dm_after(brief.sdr, since),
        calls.home_after(brief.sdr, since),
        calls.home_after(ae, since),
    ]
    return None if None in times else max(t for t in times if t is not None)


def button_value(message: dict[str, Any], action: Action) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action.value:
                return str(element["value"])
    raise ValueError(f"no {action.value} button on the brief")


def wait_effects(kind: Kind, run: Run, standin: SlackStandIn, timeout: float) -> dict[str, Any]:
    """Poll the stand-in until every request's effects arrived (or never will, or timeout)."""
    arrived: dict[int, float] = {}
    lost: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    # A request Slack saw fail may still have its effects: the listener runs on regardless.
    while True:
        calls = Calls(standin)
        for r in run.results:
            if r.index in arrived or r.index in lost:
                continue
            effect = kind.effect(r, calls)
            if isinstance(effect, str):
                lost[r.index] = effect
            elif effect is not None:
                arrived[r.index] = effect
        if len(arrived) + len(lost) == len(run.results) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    delays = sorted(arrived[r.index] - r.sent for r in run.results if r.index in arrived)
    reasons: dict[str, int] = defaultdict(int)
    for reason in lost.values():
        reasons[reason] += 1
    return {
        "delivered": len(arrived),
        "of": len(run.results),
        "last_after_ack_s": max(arrived.values()) - run.ended if arrived else None,
        "waited_s": time.monotonic() - run.ended,
        "from_send_ms": [1000 * d for d in delays],
        "missing": len(run.results) - len(arrived) - len(lost),
        "lost": dict(reasons),
    }
