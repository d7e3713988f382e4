"""The brief in the AE channel and the SDR's decision DM, from one view model."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.surfaces.render import render, slack_date, user
from handoff.config import Config
from handoff.model import OUTCOME_LABELS, Handoff, MeetingOutcome, Status

STATUS_LABELS = {
    Status.SUBMITTED: "⏳ Waiting to be posted",
    Status.PENDING: "⏳ Waiting for an AE",
    Status.ACCEPTED: "✅ Accepted",
    Status.REJECTED: "❌ Rejected",
    Status.WITHDRAWN: "↩️ Withdrawn",
    Status.CANCELED: "🚫 Meeting canceled",
}


def brief_model(handoff: Handoff, config: Config) -> dict[str, Any]:
    q = handoff.qualification
    score = handoff.score
    labels = config.rubric.labels
    return {
        "id": handoff.id,
        "status": handoff.status.value,
        "status_label": STATUS_LABELS[handoff.status],
        "company": q.company,
        "meeting_at": q.meeting_at,
        "sdr_id": handoff.sdr_id,
        "source": config.label("sources", q.source),
        "industry": config.label("industries", q.industry),
        "company_size": config.label("company_sizes", q.company_size),
        "region": config.label("regions", q.region),
        "timing": config.label("timing", q.timing),
        "budget_status": config.label("budget_status", q.budget_status),
        "contact_name": q.contact_name,
        "contact_title": q.contact_title,
        "contact_role": config.label("contact_roles", q.contact_role),
        "stakeholders": [
            {"name": s.name, "title": s.title, "role": config.label("contact_roles", s.role)}
            for s in q.stakeholders
        ],
        "pain": q.pain,
        "next_steps": q.next_steps,
        "notes": q.notes,
        "rubric_version": handoff.rubric_version,
        "suggested_ae_id": q.suggested_ae_id,
        "contact_email": q.contact_email,
        "website": q.website,
        "current_solution": q.current_solution,
        "trigger": q.trigger,
        "next_steps_status": config.label("next_steps_status", q.next_steps_status),
        "intent_signals": [config.label("intent_signals", s) for s in q.intent_signals],
        "fit_answers": [
            {"label": c.label, "value": next((o.label for o in c.choices if o.value == v), v)}
            for c in config.rubric.fit_checks
            if (v := q.fit_answers.get(c.key))
        ],
        "score": None
        if score is None
        else {
            "points": score.points,
            "bar": config.rubric.bar if score.rubric_version == config.rubric_version else None,
            "clears": score.clears_bar,
            "high_intent": score.high_intent,
            "missing": [labels.get(k, k) for k in score.missing],
            "met": [labels.get(r.key, r.key) for r in score.results if r.met],
            "unmet": [
                {"label": labels.get(r.key, r.key), "reason": r.reason}
                for r in score.results
                if not r.met
            ],
        },
        "edited_at": handoff.edited_at,
        "decided_by": handoff.decided_by,
        "decided_at": handoff.decided_at,
        "rejection_reason": config.label("rejection_reasons", handoff.rejection_reason),
        "rejection_comment": handoff.rejection_comment,
        "brief_channel": handoff.brief_channel,
        "meeting_time": handoff.meeting_time,
        "ae_id": handoff.ae_id,
        "reassigned_by": handoff.reassigned_by,
        "reassigned_at": handoff.reassigned_at,
        "outcome_line": outcome_line(handoff),
        "outcome": handoff.outcome,
        "dispute_status": handoff.dispute_status,
        "dispute_case": handoff.dispute_case,
        "disputed_at": handoff.disputed_at,
        "dispute_resolved_by": handoff.dispute_resolved_by,
        "dispute_resolved_at": handoff.dispute_resolved_at,
    }


def brief_message(handoff: Handoff, config: Config) -> dict[str, Any]:
    return render("messages/brief.json.j2", h=brief_model(handoff, config), ids=ids)


def decision_dm(handoff: Handoff, config: Config, *, can_dispute: bool = False) -> dict[str, Any]:
    """The SDR's DM about the decision; `can_dispute` offers the Dispute button on a
    rejection never disputed (there are managers to decide it)."""
    dispute = {"window_days": config.disputes.window_days} if can_dispute else None
    h = brief_model(handoff, config)
    return render("messages/decision_dm.json.j2", h=h, dispute=dispute, ids=ids)


def outcome_line(handoff: Handoff) -> str:
    """The logged outcome as mrkdwn, or "" while it is unknown."""
    if handoff.outcome is None:
        return ""
    label = OUTCOME_LABELS.get(MeetingOutcome(handoff.outcome), handoff.outcome)
    line = f"📋 *Outcome:* {label}"
    if handoff.outcome == MeetingOutcome.RESCHEDULED and handoff.rescheduled_to:
        line += f" to {slack_date(handoff.rescheduled_to)}"
    return line + f" (logged by {user(handoff.outcome_by)})"
