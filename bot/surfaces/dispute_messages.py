"""The managers' dispute DM, the SDR's verdict DM and the one-line verdict."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.surfaces.brief import brief_model
from bot.surfaces.render import render, safe_link, slack_date, user
from handoff.config import Config
from handoff.model import DisputeStatus, Handoff


def dispute_message(
    handoff: Handoff, config: Config, *, link: str = "", done: str = ""
) -> dict[str, Any]:
    """The managers' DM; `done` (mrkdwn-safe) replaces the buttons once decided."""
    h = brief_model(handoff, config)
    return render("messages/dispute_dm.json.j2", h=h, link=safe_link(link), done=done, ids=ids)


def dispute_result(handoff: Handoff, config: Config) -> dict[str, Any]:
    return render("messages/dispute_result.json.j2", h=brief_model(handoff, config), ids=ids)


def dispute_verdict(handoff: Handoff) -> str:
    """One mrkdwn line: how the dispute ended, for the managers' DM once decided."""
    by = user(handoff.dispute_resolved_by)
    when = slack_date(handoff.dispute_resolved_at) if handoff.dispute_resolved_at else ""
    if handoff.dispute_status == DisputeStatus.OVERTURNED:
        return f"⚖️ *Overturned* by {by} {when}: accepted, and {user(handoff.ae_id)} takes it."
    if handoff.dispute_status == DisputeStatus.UPHELD:
        return f"⚖️ *Upheld* by {by} {when}: it stays rejected."
    return ""
