"""What an outgoing webhook says about a change: the event's name and its JSON body.

Pure. The body follows docs/webhook-event.schema.json and is fixed when the change is
committed: a retry or a replay sends the same bytes, with the same idempotency id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from handoff.config import Config
from handoff.effects import Change
from handoff.model import Handoff

SCHEMA_VERSION = 1
EVENTS = {
    Change.SUBMITTED: "handoff.submitted",
    Change.ACCEPTED: "handoff.accepted",
    Change.REJECTED: "handoff.rejected",
    Change.OUTCOME_LOGGED: "handoff.outcome_logged",
    Change.DISPUTED: "handoff.disputed",
    Change.MEETING_CANCELED: "handoff.canceled",
}


def event_name(change: Change) -> str | None:
    return EVENTS.get(change)


def _at(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def event_body(
    event: str, handoff: Handoff, config: Config, *, delivery_id: str, at: datetime
) -> str:
    """The JSON body of one delivery, keys sorted: the bytes that are signed and sent."""
    q = handoff.qualification
    score = handoff.score
    data: dict[str, Any] = {
        "id": handoff.id,
        "status": handoff.status.value,
        "company": {"name": q.company, "website": q.website or None},
        "contact": {
            "name": q.contact_name,
            "title": q.contact_title,
            "email": q.contact_email or None,
            "role": q.contact_role,
        },
        "stakeholders": [
            {"name": s.name, "title": s.title, "role": s.role} for s in q.stakeholders
        ],
        "qualification": {
            "pain": q.pain,
            "current_solution": q.current_solution or None,
            "trigger": q.trigger or None,
            "timing": q.timing,
            "budget_status": q.budget_status,
            "next_steps": q.next_steps,
            "next_steps_status": q.next_steps_status,
            "industry": q.industry,
            "company_size": q.company_size,
            "region": q.region,
            "source": q.source,
        },
        "score": None
        if score is None
        else {
            "points": score.points,
            "clears_bar": score.clears_bar,
            "rubric_version": score.rubric_version,
            "unmet": [r.key for r in score.results if not r.met],
        },
        "meeting_at": _at(handoff.meeting_time),
        "sdr_id": handoff.sdr_id,
        "ae_id": handoff.ae_id,
        "submitted_at": _at(handoff.submitted_at),
        "decided_by": handoff.decided_by,
        "decided_at": _at(handoff.decided_at),
        "rejection": None
        if handoff.rejection_reason is None
        else {
            "reason": handoff.rejection_reason,
            "label": config.label("rejection_reasons", handoff.rejection_reason),
            "comment": handoff.rejection_comment or None,
        },
        "outcome": handoff.outcome,
        "outcome_at": _at(handoff.outcome_at),
        "dispute_status": handoff.dispute_status,
    }
    body = {
        "id": delivery_id,
        "type": event,
        "schema_version": SCHEMA_VERSION,
        "created_at": _at(at),
        "team_id": handoff.team_id,
        "data": {"handoff": data},
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
