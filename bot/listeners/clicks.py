"""Answering the person who clicked, wherever they clicked.

A button in a message comes with a response_url: the answer is an ephemeral note under the
message. A button on Home (or in a modal) has none: the answer is a small modal opened with
the click's trigger_id, and Home is republished so a stale entry (a brief someone else
decided meanwhile) disappears. If even the modal fails (the trigger expired), the answer is
a notice at the top of Home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk.errors import SlackApiError

from bot.delivery.home_updates import publish_home
from bot.listeners.transitions import commit_effects, commit_transition
from bot.observability import logs
from bot.payloads import button_id, team_id, user_id
from bot.roles import RolesUnknown
from bot.services import Services
from bot.surfaces.notices import notice, too_late_view
from bot.surfaces.refusals import GONE, ROLES_UNKNOWN, not_an_ae, refusal_text
from handoff.effects import Change, homes
from handoff.lifecycle import Outcome, Refusal, RefusalKind, UnknownHandoff
from handoff.model import Handoff
from storage.repository import SqlHandoffRepository

log = logging.getLogger(__name__)


def on_home(body: dict[str, Any]) -> bool:
    """Whether the click came from the App Home tab."""
    return (body.get("view") or {}).get("type") == "home"


def tell(services: Services, body: dict[str, Any], respond: Respond, text: str) -> None:
    """Show `text` (mrkdwn-safe) to whoever clicked; never raises for a Slack failure."""
    if body.get("response_url"):
        respond(**notice(text), replace_original=False, response_type="ephemeral")
        return
    shown = False
    trigger = body.get("trigger_id")
    if trigger:
        try:
            services.client.views_open(trigger_id=trigger, view=too_late_view(text))
            shown = True
        except SlackApiError as exc:
            log.info("could not open the answer modal (%s)", exc.response.get("error"))
    if not shown:  # the notice is for this click only: published now, not kept
        publish_home(services, team_id(body), user_id(body), notice=text)
    elif on_home(body):  # a stale entry (decided by someone else) leaves Home
        commit_effects(services, homes(team_id(body), [user_id(body)]))


def clicked_handoff(
    services: Services, body: dict[str, Any], respond: Respond, *, managers_only: bool = False
) -> Handoff | None:
    """The handoff the clicked button names; None, once the clicker is told it is gone (or,
    for a managers' button, that only HANDOFF_MANAGERS may use it)."""
    handoff_id = button_id(body)
    logs.bind(handoff_id=handoff_id)
    with services.uow(read_only=True) as uow:
        handoff = uow.handoffs.get(handoff_id) if handoff_id else None
    if handoff is None:
        tell(services, body, respond, GONE)
        return None
    actor = user_id(body)
    if managers_only and actor not in services.settings.managers:
        refusal = Refusal(RefusalKind.NOT_MANAGER, handoff.status)
        tell(services, body, respond, refusal_text(refusal, actor))
        return None
    return handoff


def clicked_transition(
    services: Services,
    body: dict[str, Any],
    respond: Respond,
    move: Callable[[SqlHandoffRepository, int], Outcome],
    change: Change,
) -> int | None:
    """Run `move` on the handoff the clicked button names, with everything it tells Slack,
    in one transaction. Its id when the move went through; None once the clicker has been
    told why nothing changed."""
    handoff_id = button_id(body)
    actor = user_id(body)
    try:
        if handoff_id is None:
            raise UnknownHandoff(handoff_id)
        found = handoff_id
        result = commit_transition(
            services, handoff_id, lambda repo: move(repo, found), change, actor=actor
        )
    except UnknownHandoff:
        tell(services, body, respond, GONE)
        return None
    if result.refusal:
        tell(services, body, respond, refusal_text(result.refusal, actor))
        return None
    return handoff_id


def ae_pick_error(services: Services, picked: str) -> str | None:
    """Why the person a manager picked cannot take a meeting, as a modal field error; None
    when they are an AE."""
    try:
        if services.roles.is_ae(picked):
            return None
    except RolesUnknown:
        return ROLES_UNKNOWN
    return not_an_ae(picked)
