"""`handoff demo`: the whole loop offline, against a local Slack stand-in, narrated.

Everything is real but Slack itself: the app is served over HTTP, requests are
signed as Slack signs them, and the bot talks to the stand-in through slack_sdk.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import build_app
from bot.demo.localserver import LocalServer
from bot.demo.wizard_driver import WizardDriver
from bot.entrypoints.web import create_wsgi
from bot.ids import COMMAND, Action, Block
from bot.services import make_services
from bot.settings import Settings, load_settings
from bot.surfaces.textview import blocks_to_text
from slack_standin import SlackSender, SlackStandIn
from storage.migrate import upgrade

SDR, AE, AE2 = "U0DEMOANN", "U0DEMOBOB", "U0DEMOCAT"
AE_CHANNEL = "C0DEMOAES"
NAMES = {SDR: "Ann (SDR)", AE: "Bob (AE)", AE2: "Cat (AE)", AE_CHANNEL: "ae-handoffs"}


def run_demo(
    settings: Settings, *, database: str | None = None, out: Callable[[str], None] = print
) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(database) if database else Path(tmp) / "demo.db"
        url = f"sqlite:///{db_path}"
        upgrade(url)
        with SlackStandIn() as slack:
            slack.add_channel(AE_CHANNEL, "ae-handoffs", members=(AE, AE2))
            for user, name in NAMES.items():
                if user.startswith("U"):
                    slack.add_user(user, name=name.split()[0].lower(), real_name=name)
            env = {
                "SLACK_BOT_TOKEN": "xoxb-demo",
                "SLACK_SIGNING_SECRET": secrets.token_hex(16),
                "SLACK_API_URL": slack.base_url,
                "DATABASE_URL": url,
                "HANDOFF_AE_CHANNEL": AE_CHANNEL,
            }
            if settings.config_path:
                env["HANDOFF_CONFIG"] = settings.config_path
            demo_settings = load_settings(env, dotenv=False)
            services = make_services(demo_settings)
            app = build_app(services)
            with LocalServer(create_wsgi(app, services.engine)) as server:
                sender = SlackSender(
                    server.url + "/slack/events", env["SLACK_SIGNING_SECRET"], slack
                )
                _Story(slack, sender, out).run()
            services.engine.dispose()
            if slack.problems:
                out("Slack would have refused some of what the bot sent:")
                for problem in slack.problems:
                    out(f"  - {problem}")
                return 1
        out(f"\nDatabase used: {db_path if database else 'a temporary SQLite file (deleted)'}")
    out("To run it in your Slack workspace, see README.md → Connect to Slack.")
    return 0


class _Story:
    def __init__(self, slack: SlackStandIn, sender: SlackSender, out: Callable[[str], None]):
        self.slack, self.sender, self.out = slack, sender, out
        self.wizard = WizardDriver(slack, sender, SDR)

    def scene(self, text: str) -> None:
        self.out(f"\n{'=' * 72}\n{text}\n{'=' * 72}")

    def show(self, who: str, where: str, blocks: list[dict[str, Any]]) -> None:
        self.out(f"\n--- {who} sees {where} ---")
        body = blocks_to_text(blocks, NAMES)
        self.out("\n".join("  " + line for line in body.splitlines()))

    def show_modal(self, who: str, where: str, view: dict[str, Any]) -> None:
        """A modal with its title bar and its footer buttons, as Slack draws them."""
        footer = [f"[ {view[k]['text']} ]" for k in ("close", "submit") if view.get(k)]
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": view["title"]["text"]}},
            *view["blocks"],
            {"type": "context", "elements": [{"type": "plain_text", "text": " ".join(footer)}]},
        ]
        self.show(who, where, blocks)

    def wait(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.02)
        raise RuntimeError("the demo waited too long for the bot; run with -v to see why")

    def open_form(self, company: str) -> dict[str, Any]:
        opened = len(self.slack.calls("views.open"))
        self.sender.slash_command(SDR, COMMAND, company)
        self.wait(lambda: len(self.slack.calls("views.open")) > opened)
        return self.wizard.latest_view()

    def show_errors(self, view: dict[str, Any], outcome: Any) -> None:
        labels = {b.get("block_id"): b["label"]["text"] for b in view["blocks"] if "label" in b}
        for block_id, error in outcome.errors.items():
            self.out(f"  Slack keeps the step open; under '{labels[block_id]}' it says:")
            self.out(f"    {error}")

    def brief_after(self, count: int) -> dict[str, Any]:
        self.wait(lambda: len(self.slack.messages(AE_CHANNEL)) > count)
        brief = self.slack.messages(AE_CHANNEL)[-1]
        # Give the bot the moment a person takes to read before clicking.
        time.sleep(0.3)
        return brief

    def click(self, user: str, brief: dict[str, Any], action: Action) -> None:
        value = next(
            e["value"]
            for b in brief["blocks"]
            for e in b.get("elements", [])
            if e.get("action_id") == action.value
        )
        self.sender.block_action_in_message(
            user,
            AE_CHANNEL,
            brief["ts"],
            action.value,
            Block.BRIEF_ACTIONS.value,
            value,
            seen=brief,
        )

    def run(self) -> None:
        meeting = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        lee = {"name": "Lee Park", "title": "Plant IT lead", "role": "champion"}
        strong: dict[str, Any] = {
            "meeting_at": meeting - timedelta(days=4),  # a slip: a date in the past
            "website": "acme-robotics.example",
            "source": "outbound",
            "industry": "manufacturing",
            "company_size": "200_999",
            "region": "emea",
            "contact_name": "Dana Whitfield",
            "contact_title": "VP Operations",
            "contact_email": "dana@acme-robotics.example",
            "contact_role": "economic_buyer",
            "stakeholders": [lee],
            "pain": "Too slow",
            "current_solution": "A paper log per shift and a weekly spreadsheet.",
            "trigger": "A third plant opens in March.",
            "timing": "this_quarter",
            "budget_status": "identified",
            "next_steps_status": "agreed",
            "next_steps": "Discovery call with Dana and Lee on Thursday; they share line data.",
            "intent_signals": ["demo_request"],
        }
        wizard = self.wizard

        self.scene("1. Ann (SDR) booked a meeting and types:  /handoff Acme Robotics")
        view = self.open_form("Acme Robotics")
        self.show_modal("Ann", "step 1 of the wizard (the company prefilled)", view)
        self.scene("2. Ann picks last week's date by mistake and presses Next")
        outcome = wizard.next_step(view, strong)
        self.show_errors(view, outcome)
        strong["meeting_at"] = meeting
        view = wizard.next_step(view, strong).view
        self.show_modal("Ann", "step 2: account fit, with the rubric's definition", view)
        view = wizard.next_step(view, strong).view
        view = wizard.add_person(view, lee)
        self.show_modal("Ann", "step 3, after adding Lee with 'Add a person'", view)
        view = wizard.next_step(view, strong).view
        self.scene("3. On step 4 she is too brief about the pain")
        outcome = wizard.next_step(view, strong)
        self.show_errors(view, outcome)
        strong["pain"] = (
            "Unplanned downtime on two packaging lines costs them ~40 hours a month; "
            "they want alerts before a line stops."
        )
        review = wizard.next_step(view, strong).view
        self.show_modal("Ann", "the review step", review)
        posted = len(self.slack.messages(AE_CHANNEL))
        wizard.send(review, strong)
        brief = self.brief_after(posted)
        self.show("everyone in #ae-handoffs", "the brief of a strong meeting", brief["blocks"])

        self.scene("4. Bob (AE) clicks Accept; a moment later Cat (AE) clicks Accept too")
        self.click(AE, brief, Action.ACCEPT)
        self.wait(lambda: self.slack.dms(SDR))
        self.click(AE2, brief, Action.ACCEPT)
        notice = self.wait(lambda: self.slack.calls("response_url"))[-1]
        updated = self.slack.message(AE_CHANNEL, brief["ts"])
        self.show("#ae-handoffs", "the brief, updated", updated["blocks"][-2:])
        self.show("Cat", "a note only she can see", notice.args["blocks"])
        self.show("Ann", "a direct message", self.slack.dms(SDR)[-1]["blocks"])

        self.scene("5. Ann hands off a weak meeting; the review says it is below the bar")
        view = self.open_form("Globex")
        weak = dict(
            strong,
            website="",
            company_size="1_49",
            contact_name="Jo Smith",
            contact_title="Intern",
            contact_email="",
            contact_role="end_user",
            stakeholders=[],
            timing="next_quarter",
            budget_status="none",
            source="event",
            pain="Curious about dashboards after the webinar; no project yet.",
            current_solution="Excel exports from their ERP.",
            trigger="",
            next_steps_status="proposed",
            next_steps="Send a deck.",
            intent_signals=["content_engagement"],
        )
        review = wizard.walk_to_review(view, weak)
        self.show_modal("Ann", "the review step", review)
        posted = len(self.slack.messages(AE_CHANNEL))
        wizard.send(review, weak)
        brief = self.brief_after(posted)
        self.show("everyone in #ae-handoffs", "the brief of a weak meeting", brief["blocks"])

        self.scene("6. Cat rejects it with a reason")
        opened = len(self.slack.calls("views.open"))
        self.click(AE2, brief, Action.REJECT)
        self.wait(lambda: len(self.slack.calls("views.open")) > opened)
        modal = wizard.latest_view()
        dms = len(self.slack.dms(SDR))
        reply = self.sender.submit_view(
            AE2,
            modal["id"],
            {
                f"{Block.REJECT_REASON}.{Action.ANSWER}": "wrong_persona",
                f"{Block.REJECT_COMMENT}.{Action.ANSWER}": "An intern cannot start a project; "
                "find who owns reporting.",
            },
        )
        self.sender.apply_view_response(modal["id"], reply)
        self.wait(lambda: len(self.slack.dms(SDR)) > dms)
        updated = self.slack.message(AE_CHANNEL, brief["ts"])
        self.show("#ae-handoffs", "the brief, updated", updated["blocks"][-2:])
        self.show("Ann", "a direct message", self.slack.dms(SDR)[-1]["blocks"])

        calls = [c.method for c in self.slack.calls() if c.method != "auth.test"]
        self.scene(f"Done: the bot made {len(calls)} Slack calls, every one valid Block Kit.")
