"""Edit or withdraw, from the brief's menu or the Home tab: the booker only, before a decision."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import tell
from bot.listeners.wizard_flow import open_form
from bot.payloads import team_id, user_id
from bot.services import Services
from bot.surfaces.modals import withdraw_view
from bot.surfaces.refusals import GONE, refusal_text
from handoff.lifecycle import edit_refusal
from handoff.qualification import answers_of


def register(app: App, services: Services) -> None:
    @app.action(Action.MANAGE)
    def manage_handoff(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        what, handoff_id = _choice(body)
        with services.uow(read_only=True) as uow:
            handoff = uow.handoffs.get(handoff_id) if handoff_id else None
        if handoff is None or what not in ("edit", "withdraw"):
            tell(services, body, respond, GONE)
            return
        refusal = edit_refusal(handoff, actor)
        if refusal:
            tell(services, body, respond, refusal_text(refusal, actor))
            return
        if what == "withdraw":
            services.client.views_open(trigger_id=body["trigger_id"], view=withdraw_view(handoff))
            return
        open_form(
            services,
            trigger_id=body["trigger_id"],
            team_id=team_id(body) or handoff.team_id,
            user_id=actor,
            initial=answers_of(handoff.qualification),
            mode="edit",
            handoff_id=handoff.id,
        )


def _choice(body: dict[str, Any]) -> tuple[str, int | None]:
    action = (body.get("actions") or [{}])[0]
    value = str((action.get("selected_option") or {}).get("value", ""))
    what, _, number = value.partition(":")
    return what, int(number) if number.isdigit() else None
