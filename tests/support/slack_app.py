"""The app under test served over HTTP, and what the bot tests know of its Slack workspace.

`Harness` drives the app the way people do (slash command, wizard, buttons) through a
SlackSender, against a SlackStandIn the app talks to; tests/bot/conftest.py builds one per
test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.demo.wizard_driver import WizardDriver
from bot.ids import COMMAND, Action, Block
from bot.services import Services
from slack_standin import SlackStandIn
from storage.models import HandoffRow
from tests.support.db import unit

SECRET = "test-signing-secret"
AE_CHANNEL = "C0AEDESK"
DIGEST_CHANNEL = "C0DIGEST"
SDR, AE, AE2 = "U0SDRANN", "U0AEBOB", "U0AECAT"


def wizard_values(**overrides: Any) -> dict[str, Any]:
    """What an SDR types across the wizard's steps, by field (the input's block id)."""
    meeting = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    values: dict[str, Any] = {
        "company": "Acme Robotics",
        "website": "acme-robotics.example",
        "meeting_at": meeting,
        "source": "outbound",
        "notes": "",
        "industry": "manufacturing",
        "company_size": "200_999",
        "region": "emea",
        "contact_name": "Dana Whitfield",
        "contact_title": "VP Operations",
        "contact_email": "dana@acme-robotics.example",
        "contact_role": "economic_buyer",
        "stakeholders": [{"name": "Lee Park", "title": "Plant IT lead", "role": "champion"}],
        "pain": "Unplanned downtime on two lines costs them about 40 hours a month.",
        "current_solution": "A paper log per shift and a weekly spreadsheet.",
        "trigger": "A third plant opens in March.",
        "timing": "this_quarter",
        "budget_status": "identified",
        "next_steps_status": "agreed",
        "next_steps": "Discovery call with Dana and Lee on Thursday.",
        "intent_signals": ["demo_request"],
    }
    values.update(overrides)
    return values


def step_title(view: dict[str, Any]) -> str:
    return view["blocks"][0]["elements"][0]["text"]


@dataclass
class Harness(WizardDriver):
    services: Services
    url: str

    def open_form(self, user: str = SDR, text: str = "") -> dict[str, Any]:
        before = len(self.standin.calls("views.open"))
        reply = self.slack.slash_command(user, COMMAND, text)
        assert reply.status == 200, reply.body
        call = self.standin.wait_for("views.open", count=before + 1)[-1]
        assert call.ok, call
        return self.latest_view()

    def submit_handoff(self, user: str = SDR, **overrides: Any) -> dict[str, Any]:
        """Walk the wizard, send it, and return the brief as posted in the AE channel."""
        view = self.open_form(user)
        posted = len(self.standin.messages(AE_CHANNEL))
        outcome = self.send(view, wizard_values(**overrides), user)
        assert outcome.action == "close", outcome
        self.wait_until(lambda: len(self.standin.messages(AE_CHANNEL)) > posted)
        brief = self.standin.messages(AE_CHANNEL)[-1]
        # A person reads before clicking; by then the bot has recorded where the brief is.
        self.wait_until(lambda: self._recorded(brief["ts"]))
        return brief

    def _recorded(self, ts: str) -> bool:
        with unit(self.services) as repo:
            row = repo.session.scalar(select(HandoffRow).where(HandoffRow.brief_ts == ts))
            return row is not None and row.brief_synced_version == row.brief_version

    def click(self, user: str, brief: dict[str, Any], action: Action) -> Any:
        button = _button(brief, action)
        return self.slack.block_action_in_message(
            user,
            AE_CHANNEL,
            brief["ts"],
            action.value,
            "brief_actions",
            button["value"],
            seen=brief,
        )

    def reject(
        self, ae: str, brief: dict[str, Any], reason: str = "wrong_persona", comment: str = ""
    ) -> dict[str, Any]:
        """`ae` clicks Reject, picks `reason` (and types `comment`) in the modal and sends
        it; the SDR's decision DM once it arrives."""
        opened = len(self.standin.calls("views.open"))
        sent = len(self.standin.dms(SDR))
        self.click(ae, brief, Action.REJECT)
        self.standin.wait_for("views.open", count=opened + 1)
        modal = self.latest_view()
        values = {f"{Block.REJECT_REASON}.answer": reason}
        if comment:
            values[f"{Block.REJECT_COMMENT}.answer"] = comment
        reply = self.slack.submit_view(ae, modal["id"], values)
        assert self.slack.apply_view_response(modal["id"], reply).action == "close"
        self.wait_until(lambda: len(self.standin.dms(SDR)) > sent)
        return self.standin.dms(SDR)[sent]

    def brief(self, ts: str) -> dict[str, Any]:
        return self.standin.message(AE_CHANNEL, ts)

    @staticmethod
    def wait_until(condition: Any, timeout: float = 5.0) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.02)
        raise AssertionError("condition not met in time")


def _button(message: dict[str, Any], action: Action) -> dict[str, Any]:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action.value:
                return element
    raise AssertionError(f"no {action} button on the message")


def brief_text(message: dict[str, Any]) -> str:
    """Everything a reader sees in a message's blocks, as one string."""
    parts = [message.get("text", "")]
    for block in message["blocks"]:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [
            e.get("text", "") for e in block.get("elements", []) if block["type"] == "context"
        ]
    return "\n".join(str(p) for p in parts)


def app_env(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": standin.base_url,
        "DATABASE_URL": database_url,
        "HANDOFF_AE_CHANNEL": AE_CHANNEL,
    }
