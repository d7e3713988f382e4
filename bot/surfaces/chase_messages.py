"""What the chase sweep sends: the thread reminder, the managers' escalation, the outcome DM."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.surfaces.brief import brief_model
from bot.surfaces.render import render, safe_link
from handoff.config import Config
from handoff.model import Handoff


def business_span(hours: float, hours_per_day: float) -> str:
    """ "2 business hours", "1 business day": how long something waited, as people say it."""
    if hours >= hours_per_day and (hours / hours_per_day).is_integer():
        days = int(hours / hours_per_day)
        return f"{days} business day{'s' if days != 1 else ''}"
    shown = f"{hours:g}"
    return f"{shown} business hour{'s' if hours != 1 else ''}"


def reminder_message(handoff: Handoff, config: Config, *, who: str, waited: str) -> dict[str, Any]:
    """`who` is mrkdwn we built (a mention), never user text."""
    h = brief_model(handoff, config)
    return render("messages/chase_reminder.json.j2", h=h, who=who, waited=waited, ids=ids)


def escalation_message(
    handoff: Handoff, config: Config, *, link: str, waited: str
) -> dict[str, Any]:
    h = brief_model(handoff, config)
    return render(
        "messages/escalation_dm.json.j2", h=h, link=safe_link(link), waited=waited, ids=ids
    )


def outcome_question(
    handoff: Handoff, config: Config, *, nth: int, done: str = ""
) -> dict[str, Any]:
    """The AE's outcome DM; `done` (mrkdwn-safe) replaces the buttons once answered."""
    h = brief_model(handoff, config)
    return render("messages/outcome_dm.json.j2", h=h, nth=nth, done=done, ids=ids)


def stuck_message(
    handoff: Handoff, config: Config, *, failing: list[tuple[str, int, str]], link: str
) -> dict[str, Any]:
    """The managers' DM about messages that kept failing: what, how often, the last error."""
    h = brief_model(handoff, config)
    return render("messages/stuck_dm.json.j2", h=h, failing=failing, link=safe_link(link), ids=ids)
