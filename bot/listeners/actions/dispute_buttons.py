"""Dispute… in the SDR's rejection DM; Uphold and Overturn… in the managers' DM.

Dispute and Overturn open a modal (the change happens on submit); Uphold, behind Slack's
confirm dialog, decides at once. Every refusal names the rule: the booker only, once,
managers only, the first verdict wins.
"""

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action
from bot.listeners.clicks import clicked_handoff, clicked_transition, tell
from bot.payloads import user_id
from bot.services import Services
from bot.surfaces.modals import dispute_view, overturn_view
from bot.surfaces.refusals import refusal_text
from handoff.effects import Change
from handoff.lifecycle import (
    dispute_refusal,
    dispute_window,
    resolve_dispute,
    resolve_refusal,
)


def register(app: App, services: Services) -> None:
    @app.action(Action.DISPUTE)
    def dispute_clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff = clicked_handoff(services, body, respond)
        if handoff is None:
            return
        refusal = dispute_refusal(
            handoff,
            actor,
            managers=services.settings.managers,
            now=services.now(),
            window=dispute_window(services.config.disputes.window_days),
        )
        if refusal:
            tell(services, body, respond, refusal_text(refusal, actor))
            return
        view = dispute_view(handoff, services.config)
        services.client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.DISPUTE_OVERTURN)
    def overturn_clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        handoff = clicked_handoff(services, body, respond)
        if handoff is None:
            return
        refusal = resolve_refusal(handoff, actor, services.settings.managers)
        if refusal:
            tell(services, body, respond, refusal_text(refusal, actor))
            return
        services.client.views_open(trigger_id=body["trigger_id"], view=overturn_view(handoff))

    @app.action(Action.DISPUTE_UPHOLD)
    def uphold_clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        clicked_transition(
            services,
            body,
            respond,
            lambda repo, hid: resolve_dispute(
                repo,
                hid,
                actor=actor,
                overturn=False,
                managers=services.settings.managers,
                now=services.now(),
            ),
            Change.DISPUTE_RESOLVED,
        )
