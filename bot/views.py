"""View models: domain objects turned into the plain dicts templates render."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.render import render, slack_date, user
from handoff.config import Config
from handoff.lifecycle import DISPUTE_CASE_MAX, Refusal
from handoff.model import OUTCOME_LABELS, DisputeStatus, Handoff, MeetingOutcome, Status
from handoff.qualification import steps

STATUS_LABELS = {
    Status.SUBMITTED: "⏳ Waiting to be posted",
    Status.PENDING: "⏳ Waiting for an AE",
    Status.ACCEPTED: "✅ Accepted",
    Status.REJECTED: "❌ Rejected",
    Status.WITHDRAWN: "↩️ Withdrawn",
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


def notice(text: str) -> dict[str, Any]:
    """`text` must already be mrkdwn-safe (ours, or escaped)."""
    return render("messages/notice.json.j2", text=text)


def reject_view(handoff: Handoff, config: Config) -> dict[str, Any]:
    r = {
        "company": handoff.qualification.company,
        "reasons": config.choices["rejection_reasons"],
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/reject.json.j2", r=r, ids=ids)


# What Home shows at most, so the whole tab stays inside Slack's 100 blocks with room for the
# managers' section (MANAGER_BLOCKS); tests/templates checks the worst case.
HOME_MAX_BLOCKS = 100
MANAGER_BLOCKS = 30
PENDING_SHOWN = 8  # two blocks each
DUE_SHOWN = 5  # two blocks each
UPCOMING_SHOWN = 8  # lines of one block
DRAFTS_SHOWN = 5  # two blocks each
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
) -> dict[str, Any]:
    """Home for one person. `notice` (mrkdwn-safe) answers a click Home could not answer
    otherwise; `manager` holds the managers' section as ready blocks (bot/home.py)."""
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


def refusal_text(refusal: Refusal, viewer: str) -> str:
    """The polite mrkdwn answer to a click that came too late or from the wrong person."""
    who = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "withdrawn":
        return f"{'You' if who == 'you' else who} withdrew this handoff; nothing to decide."
    if refusal.kind == "not_booker":
        return f"Only {user(refusal.by)}, who booked this meeting, can edit or withdraw it."
    if refusal.kind == "own_handoff":
        return "You booked this meeting, so an AE has to accept or reject it."
    return f"This handoff was already *{refusal.status.value}* by {who}. Nothing changed."


def withdraw_view(handoff: Handoff) -> dict[str, Any]:
    d = {
        "company": handoff.qualification.company,
        "private_metadata": json.dumps({"handoff": handoff.id}),
    }
    return render("modals/withdraw.json.j2", d=d, ids=ids)


def too_late_view(text: str) -> dict[str, Any]:
    """Replaces a submitted modal when the decision was taken by someone else meanwhile."""
    return render("modals/too_late.json.j2", text=text)


# -- chasing ---------------------------------------------------------------------------------------


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
        "messages/escalation_dm.json.j2", h=h, link=_safe_link(link), waited=waited, ids=ids
    )


def outcome_question(
    handoff: Handoff, config: Config, *, nth: int, done: str = ""
) -> dict[str, Any]:
    """The AE's outcome DM; `done` (mrkdwn-safe) replaces the buttons once answered."""
    h = brief_model(handoff, config)
    return render("messages/outcome_dm.json.j2", h=h, nth=nth, done=done, ids=ids)


def note(text: str, footer: str = "") -> dict[str, Any]:
    """`text` and `footer` must already be mrkdwn-safe."""
    return render("messages/note.json.j2", text=text, footer=footer)


def outcome_line(handoff: Handoff) -> str:
    """The logged outcome as mrkdwn, or "" while it is unknown."""
    if handoff.outcome is None:
        return ""
    label = OUTCOME_LABELS.get(MeetingOutcome(handoff.outcome), handoff.outcome)
    line = f"📋 *Outcome:* {label}"
    if handoff.outcome == MeetingOutcome.RESCHEDULED and handoff.rescheduled_to:
        line += f" to {slack_date(handoff.rescheduled_to)}"
    return line + f" (logged by {user(handoff.outcome_by)})"


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


def chase_refusal_text(refusal: Refusal, viewer: str) -> str:
    """The answer to an outcome or reassign click that is not this person's to make."""
    by = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "not_manager":
        return "Only the managers named in HANDOFF_MANAGERS can reassign a handoff."
    if refusal.kind == "not_allowed":
        return f"This meeting is {by}'s; only they or a manager can log its outcome."
    if refusal.kind == "outcome_logged":
        return f"The outcome was already logged by {by}. Nothing changed."
    if refusal.kind == "not_accepted":
        return f"This handoff is *{refusal.status.value}*; there is no meeting outcome to log."
    if refusal.kind == "own_handoff":
        return "The SDR who booked the meeting cannot take it as the AE."
    return refusal_text(refusal, viewer)


# -- disputes --------------------------------------------------------------------------------------


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


def dispute_message(
    handoff: Handoff, config: Config, *, link: str = "", done: str = ""
) -> dict[str, Any]:
    """The managers' DM; `done` (mrkdwn-safe) replaces the buttons once decided."""
    h = brief_model(handoff, config)
    return render("messages/dispute_dm.json.j2", h=h, link=_safe_link(link), done=done, ids=ids)


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


def dispute_refusal_text(refusal: Refusal, viewer: str) -> str:
    """The answer to a Dispute, Uphold or Overturn click that cannot be honoured."""
    by = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "not_booker":
        return f"Only {user(refusal.by)}, who booked this meeting, can dispute its rejection."
    if refusal.kind == "already_disputed":
        return "This rejection was already disputed; a rejection can be disputed only once."
    if refusal.kind == "not_rejected":
        return f"This handoff is *{refusal.status.value}*, not rejected: nothing to dispute."
    if refusal.kind == "no_managers":
        return "Disputes go to the managers, and none are set up (HANDOFF_MANAGERS)."
    if refusal.kind == "too_late":
        return "This rejection is too old to dispute now; talk to your manager."
    if refusal.kind == "not_manager":
        return "Only the managers named in HANDOFF_MANAGERS can decide a dispute."
    if refusal.kind == "dispute_resolved":
        return f"This dispute was already decided by {by}. Nothing changed."
    if refusal.kind == "not_disputed":
        return "There is no open dispute on this handoff. Nothing changed."
    if refusal.kind == "conflict":
        return "You booked or rejected this meeting, so another manager has to decide."
    if refusal.kind == "own_handoff":
        return "The SDR who booked the meeting cannot take it as the AE."
    return refusal_text(refusal, viewer)


def _safe_link(link: str) -> str:
    return link if link.startswith("https://") and "|" not in link and ">" not in link else ""
