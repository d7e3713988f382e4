"""Plays an SDR in the wizard over Slack's protocol: the demo and the tests use it.

It only does what a person does in Slack: type into the step's inputs, press
Next, click Add a person and fill the small form, press Send.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bot.ids import Action, Block
from slack_standin import SlackSender, SlackStandIn


def step_inputs(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The values for the inputs this step shows, keyed as the stand-in expects."""
    fields = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    return {
        f"{f}.{Action.ANSWER}": values[f] for f in fields if values.get(f) not in ("", None, [])
    }


def has_block(view: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


@dataclass
class WizardDriver:
    standin: SlackStandIn
    slack: SlackSender
    user: str  # who plays the SDR, unless a call names someone else

    def latest_view(self) -> dict[str, Any]:
        return [v for v in self.standin.views.values() if v["type"] == "modal"][-1]

    def next_step(
        self, view: dict[str, Any], values: dict[str, Any], user: str | None = None
    ) -> Any:
        """Fill this step's inputs from ``values`` and press the modal's submit button."""
        reply = self.slack.submit_view(user or self.user, view["id"], step_inputs(view, values))
        return self.slack.apply_view_response(view["id"], reply)

    def add_person(
        self, view: dict[str, Any], person: dict[str, Any], user: str | None = None
    ) -> Any:
        """Click "Add a person", fill the pushed modal; the redrawn step, or the errors."""
        updates = len(self.standin.calls("views.update"))
        pushes = len(self.standin.calls("views.push"))
        self.slack.block_action_in_view(
            user or self.user, view["id"], Action.ADD_PERSON, Block.PEOPLE_ACTIONS, "add"
        )
        self.standin.wait_for("views.push", count=pushes + 1)
        pushed = self.latest_view()
        answers = {f"person_{k}.{Action.ANSWER}": v for k, v in person.items() if v}
        reply = self.slack.submit_view(user or self.user, pushed["id"], answers)
        outcome = self.slack.apply_view_response(pushed["id"], reply)
        if outcome.action != "close":
            return outcome
        self.standin.wait_for("views.update", count=updates + 1)
        return self.standin.view(view["id"])

    def click_in_view(
        self,
        view: dict[str, Any],
        action: Action,
        block_id: str,
        value: str,
        user: str | None = None,
    ) -> dict[str, Any]:
        """Click a button in the modal and return it once the bot has redrawn it."""
        updates = len(self.standin.calls("views.update"))
        self.slack.block_action_in_view(user or self.user, view["id"], action, block_id, value)
        self.standin.wait_for("views.update", count=updates + 1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.standin.view(view["id"])["hash"] == view["hash"]:
            time.sleep(0.01)
        return self.standin.view(view["id"])

    def walk_to_review(
        self, view: dict[str, Any], values: dict[str, Any], user: str | None = None
    ) -> Any:
        """Answer every step from ``values`` (adding its people) and stop at the review."""
        while any(b["type"] == "input" for b in view["blocks"]):
            if has_block(view, Block.PEOPLE_ACTIONS):
                shown = sum(b.get("block_id", "").startswith("person_") for b in view["blocks"])
                for person in values.get("stakeholders", [])[shown:]:
                    view = self.add_person(view, person, user)
            outcome = self.next_step(view, values, user)
            if outcome.action != "update":
                raise AssertionError(f"the step did not advance: {outcome}")
            view = outcome.view
        return view

    def send(self, view: dict[str, Any], values: dict[str, Any], user: str | None = None) -> Any:
        """Walk from ``view`` to the review and press Send."""
        review = self.walk_to_review(view, values, user)
        reply = self.slack.submit_view(user or self.user, review["id"], {})
        return self.slack.apply_view_response(review["id"], reply)
