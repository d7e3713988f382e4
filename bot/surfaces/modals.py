"""The small modals behind a button: reject, withdraw, reassign, reschedule, dispute, overturn."""

from __future__ import annotations

import json
from typing import Any

from bot import ids
from bot.surfaces.render import render
from handoff.config import Config
from handoff.lifecycle import DISPUTE_CASE_MAX
from handoff.model import Handoff


def reject_view(handoff: Handoff, config: Config) -> dict[str, Any]:
    r = {
        "company": handoff.qualification.company,
        "reasons": config.choices["rejection_reasons"],
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/reject.json.j2", r=r, ids=ids)


def withdraw_view(handoff: Handoff) -> dict[str, Any]:
    d = {
        "company": handoff.qualification.company,
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/withdraw.json.j2", d=d, ids=ids)


def reassign_view(handoff: Handoff) -> dict[str, Any]:
    r = {
        "company": handoff.qualification.company,
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/reassign.json.j2", r=r, ids=ids)


def reschedule_view(handoff: Handoff) -> dict[str, Any]:
    r = {
        "company": handoff.qualification.company,
        "initial": int(handoff.meeting_time.timestamp()),
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/reschedule.json.j2", r=r, ids=ids)


def dispute_view(handoff: Handoff, config: Config) -> dict[str, Any]:
    d = {
        "company": handoff.qualification.company,
        "rejected_by": handoff.decided_by,
        "reason": config.label("rejection_reasons", handoff.rejection_reason),
        "max_length": DISPUTE_CASE_MAX,
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/dispute.json.j2", d=d, ids=ids)


def overturn_view(handoff: Handoff) -> dict[str, Any]:
    r = {
        "company": handoff.qualification.company,
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/overturn.json.j2", r=r, ids=ids)
