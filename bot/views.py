"""View models: domain objects turned into the plain dicts templates render."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.render import render, slack_date, user
from handoff.config import Config
from handoff.lifecycle import Refusal
from handoff.model import OUTCOME_LABELS, Field, Handoff, MeetingOutcome, Status
from handoff.qualification import LONG_TEXT_MAX, SHORT_TEXT_MAX

STATUS_LABELS = {
    Status.SUBMITTED: "⏳ Waiting to be posted",
    Status.PENDING: "⏳ Waiting for an AE",
    Status.ACCEPTED: "✅ Accepted",
    Status.REJECTED: "❌ Rejected",
    Status.WITHDRAWN: "↩️ Withdrawn",
}


@dataclass(frozen=True)
class Question:
    field: str
    label: str
    kind: str  # text | datetime | choice
    optional: bool = False
    multiline: bool = False
    max_length: int = SHORT_TEXT_MAX
    choices: tuple[Any, ...] = ()
    hint: str = ""
    placeholder: str = ""
    initial: Any = None


def questions(config: Config, initial: dict[str, Any]) -> list[Question]:
    def text(field: Field, label: str, **kw: Any) -> Question:
        return Question(field.value, label, "text", initial=initial.get(field.value), **kw)

    def choice(field: Field, label: str, kind: str) -> Question:
        return Question(
            field.value,
            label,
            "choice",
            choices=config.choices[kind],
            initial=initial.get(field.value),
        )

    long = {"multiline": True, "max_length": LONG_TEXT_MAX}
    return [
        text(Field.COMPANY, "Company"),
        Question(
            Field.MEETING_AT.value,
            "Meeting date and time",
            "datetime",
            initial=initial.get(Field.MEETING_AT.value),
        ),
        choice(Field.INDUSTRY, "Industry", "industries"),
        choice(Field.COMPANY_SIZE, "Company size", "company_sizes"),
        choice(Field.REGION, "Region", "regions"),
        text(Field.CONTACT_NAME, "Contact's name"),
        text(Field.CONTACT_TITLE, "Contact's title"),
        choice(Field.CONTACT_ROLE, "Contact's role in the decision", "contact_roles"),
        text(
            Field.STAKEHOLDERS,
            "Other stakeholders",
            optional=True,
            multiline=True,
            max_length=2000,
            hint="One per line: Name, Title, Role (role optional).",
        ),
        text(
            Field.PAIN,
            "Pain or initiative",
            hint=(
                f"What hurts, for whom, and what they do about it today "
                f"(at least {config.pain_min_length} characters)."
            ),
            **long,
        ),
        choice(Field.TIMING, "Timing", "timing"),
        choice(Field.BUDGET_STATUS, "Budget status", "budget_status"),
        text(
            Field.NEXT_STEPS, "Agreed next steps", hint="What both sides agreed to do next.", **long
        ),
        choice(Field.SOURCE, "Meeting source", "sources"),
        text(Field.NOTES, "Notes", optional=True, **long),
    ]


def qualify_view(config: Config, *, draft_id: int, initial: dict[str, Any]) -> dict[str, Any]:
    form = {
        "questions": questions(config, initial),
        "private_metadata": json.dumps({"draft": draft_id}),
    }
    return render("modals/qualify.json.j2", form=form, ids=ids)


def brief_model(handoff: Handoff, config: Config) -> dict[str, Any]:
    q = handoff.qualification
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
    }


def brief_message(handoff: Handoff, config: Config) -> dict[str, Any]:
    return render("messages/brief.json.j2", h=brief_model(handoff, config), ids=ids)


def decision_dm(handoff: Handoff, config: Config) -> dict[str, Any]:
    return render("messages/decision_dm.json.j2", h=brief_model(handoff, config), ids=ids)


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


def home_view(handoffs: list[Handoff], config: Config) -> dict[str, Any]:
    home = {"handoffs": [brief_model(h, config) for h in handoffs]}
    return render("home/home.json.j2", home=home, ids=ids)


def refusal_text(refusal: Refusal, viewer: str) -> str:
    """The polite mrkdwn answer to a click that came too late or from the wrong person."""
    who = "you" if refusal.by == viewer else user(refusal.by)
    if refusal.kind == "withdrawn":
        return f"{'You' if who == 'you' else who} withdrew this handoff; nothing to decide."
    if refusal.kind == "own_handoff":
        return "You booked this meeting, so an AE has to accept or reject it."
    return f"This handoff was already *{refusal.status.value}* by {who}. Nothing changed."


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
    safe_link = link if link.startswith("https://") and "|" not in link and ">" not in link else ""
    return render("messages/escalation_dm.json.j2", h=h, link=safe_link, waited=waited, ids=ids)


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
