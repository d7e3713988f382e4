"""The App Home view for one person, capped to stay inside Slack's 100 blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.surfaces.brief import brief_model
from bot.surfaces.render import render
from handoff.config import Config
from handoff.model import Handoff
from handoff.qualification import steps

# What Home shows at most, so the whole tab stays inside Slack's 100 blocks with room for the
# managers' section (MANAGER_BLOCKS); tests/templates checks the worst case.
HOME_MAX_BLOCKS = 100
MANAGER_BLOCKS = 30
PENDING_SHOWN = 8  # two blocks each
DUE_SHOWN = 5  # two blocks each
UPCOMING_SHOWN = 8  # lines of one block
DRAFTS_SHOWN = 5  # two blocks each
BOOKINGS_SHOWN = 3  # one block each
HANDOFFS_SHOWN = 10  # one block each


@dataclass(frozen=True)
class AeHome:
    """The AE's part of Home: briefs to decide and their meetings without an outcome."""

    pending: list[Handoff]
    pending_total: int
    due: list[Handoff]  # the meeting time has passed
    due_total: int
    upcoming: list[Handoff]
    upcoming_total: int
    channel: str | None = None


def home_view(
    handoffs: list[Handoff],
    unfinished: list[dict[str, Any]],
    config: Config,
    *,
    handoffs_total: int | None = None,
    ae: AeHome | None = None,
    viewer: str = "",
    notice: str = "",
    manager: list[dict[str, Any]] | None = None,
    show_handoffs: bool = True,
    bookings: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Home for one person. `notice` (mrkdwn-safe) answers a click Home could not answer
    otherwise; `manager` holds the managers' section as ready blocks (see
    bot/delivery/home_updates.py); `bookings` are meetings booked in a scheduling tool that
    the person has not qualified yet (id, company, contact_name, meeting_at)."""
    step_count = len(steps(config))
    shown = handoffs[:HANDOFFS_SHOWN]
    total = len(handoffs) if handoffs_total is None else max(handoffs_total, len(handoffs))
    drafts = unfinished[:DRAFTS_SHOWN]
    home: dict[str, Any] = {
        "notice": notice,
        "manager": list(manager or [])[:MANAGER_BLOCKS],
        "ae": None if ae is None else _ae_home(ae, config, viewer),
        "handoffs": [brief_model(h, config) for h in shown],
        "handoffs_more": total - len(shown),
        "show_handoffs": show_handoffs,
        "drafts": [
            {
                "id": d["id"],
                "company": str(d["answers"].get("company") or "Untitled"),
                "editing": d["mode"] == "edit",
                "step": f"step {min(d['step'], step_count - 1) + 1} of {step_count}",
                "updated_at": d["updated_at"],
            }
            for d in drafts
        ],
        "drafts_more": len(unfinished) - len(drafts),
        "bookings": list(bookings or [])[:BOOKINGS_SHOWN],
        "bookings_more": max(len(bookings or []) - BOOKINGS_SHOWN, 0),
    }
    view = render("home/home.json.j2", home=home, ids=ids)
    blocks = view["blocks"]
    if len(blocks) > HOME_MAX_BLOCKS:  # a safety net: the caps above keep well inside
        full = {"type": "mrkdwn", "text": "More than Home can show; see the channel."}
        view["blocks"] = [*blocks[: HOME_MAX_BLOCKS - 1], {"type": "context", "elements": [full]}]
    return view


def _ae_home(ae: AeHome, config: Config, viewer: str) -> dict[str, Any]:
    pending = [
        {
            **brief_model(h, config),
            "suggested": bool(viewer) and h.suggested_ae_id == viewer,
        }
        for h in ae.pending[:PENDING_SHOWN]
    ]
    due = [brief_model(h, config) for h in ae.due[:DUE_SHOWN]]
    upcoming = [brief_model(h, config) for h in ae.upcoming[:UPCOMING_SHOWN]]
    return {
        "pending": pending,
        "pending_total": ae.pending_total,
        "pending_more": max(ae.pending_total - len(pending), 0),
        "due": due,
        "due_more": max(ae.due_total - len(due), 0),
        "upcoming": upcoming,
        "upcoming_more": max(ae.upcoming_total - len(upcoming), 0),
        "channel": ae.channel,
    }
