"""Web API calls per lifecycle, each played alone and counted from its first request to the
last call it caused: the wizard, its Send, an Accept, a Reject with its reason."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from bench.ack_kinds import AE_CHANNEL, Brief, Calls, Clicks, answers, company, decided
from bench.ack_load import TimedSender
from bench.ack_prepare import header, open_wizard, prepare_briefs, quiet, wait_until
from bot.demo.wizard_driver import WizardDriver
from bot.ids import Action, Block
from slack_standin import SlackStandIn

TAG = "L"


def lifecycles(standin: SlackStandIn, sender: TimedSender) -> dict[str, dict[str, Any]]:
    quiet(standin)
    found: dict[str, dict[str, Any]] = {}

    sdr, name = f"U0SDR{TAG}S", company(TAG, 0)
    driver = WizardDriver(standin, sender, sdr)
    start = time.monotonic()
    view = standin.view(open_wizard(standin, sender, sdr, name))
    review = driver.walk_to_review(view, answers(name))
    found["wizard (/handoff to the review)"] = _counted(standin, start)

    start = time.monotonic()
    outcome = driver.send(review, answers(name))
    assert outcome.action == "close", outcome
    message = wait_until(
        lambda: next((m for m in standin.messages(AE_CHANNEL) if header(m) == name), None),
        30,
        "the brief",
    )
    found["submission (Send to the brief and Homes)"] = _counted(standin, start)

    brief = Brief(message["ts"], name, sdr, message)
    accept = Clicks(Action.ACCEPT, [brief], TAG)
    start = time.monotonic()
    accept.send(sender, 0)
    wait_until(
        lambda: isinstance(decided(Calls(standin), brief, accept.ae(0), start), float),
        60,
        "the Accept's effects",
    )
    found["Accept (click to the last effect)"] = _counted(standin, start)

    brief = prepare_briefs(standin, sender, 1, TAG + "R")[0]
    reject = Clicks(Action.REJECT, [brief], TAG)
    ae = reject.ae(0)
    start = time.monotonic()
    reject.send(sender, 0)
    trigger = sender.last_payload["trigger_id"]
    opened = wait_until(lambda: Calls(standin).opened.get(trigger), 30, "the reason modal")
    modal = str(opened.response["view"]["id"])
    reply = sender.submit_view(
        ae,
        modal,
        {
            f"{Block.REJECT_REASON}.{Action.ANSWER}": "wrong_persona",
            f"{Block.REJECT_COMMENT}.{Action.ANSWER}": "Find who owns the budget.",
        },
    )
    sender.apply_view_response(modal, reply)
    wait_until(
        lambda: isinstance(decided(Calls(standin), brief, ae, start, "Rejected"), float),
        60,
        "the Reject's effects",
    )
    found["Reject (click, reason, to the last effect)"] = _counted(standin, start)
    return found


def _counted(standin: SlackStandIn, start: float) -> dict[str, Any]:
    """Calls since ``start`` by method, once the app has stopped calling."""
    last = quiet(standin)
    methods = Counter(c.method for c in standin.calls() if c.time >= start)
    return {"calls": dict(sorted(methods.items())), "seconds": max(0.0, last - start)}
