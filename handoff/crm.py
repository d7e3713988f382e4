"""What the CRM must show for a handoff, and the small interface a CRM is written through.

Pure. `writeback` reads a handoff as it is now and says what the CRM should hold: the
company, the contact, the meeting (with its outcome), a note with the qualification, a deal
when the team wants one, and a note with the reason of a rejection. A CRM adapter (HubSpot
in bot/outside/hubspot.py) makes it so, creating each object once: the ids it was given are
kept per handoff (`known`) and each new one is reported to `remember` as soon as it exists.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Protocol

from handoff.config import Config
from handoff.model import Handoff, MeetingOutcome, Status
from handoff.policy import CrmRules


class Record(StrEnum):
    """The objects a handoff writes to a CRM, one of each at most."""

    COMPANY = "company"
    CONTACT = "contact"
    MEETING = "meeting"
    NOTE = "note"  # the qualification
    DEAL = "deal"
    REJECTION_NOTE = "rejection_note"


class MeetingState(StrEnum):
    """A meeting's outcome as CRMs name it (HubSpot's `hs_meeting_outcome` values)."""

    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"
    RESCHEDULED = "RESCHEDULED"
    CANCELED = "CANCELED"


class Problem(IntEnum):
    """A CRM error only a person can fix; the managers are told once for each."""

    TOKEN = 1  # refused (401): expired, revoked or mistyped
    SCOPE = 2  # a scope the private app was not given (403)
    SETTING = 3  # a pipeline, a stage or another id in [crm.hubspot] the CRM does not know


FIXES = {
    Problem.TOKEN: (
        "HubSpot refused the access token (401)",
        "make a new token in HubSpot (Settings → Integrations → Private apps → the app → "
        "Auth → Rotate), set HUBSPOT_ACCESS_TOKEN to it and restart",
    ),
    Problem.SCOPE: (
        "HubSpot refused a call for a missing scope (403)",
        "give the private app every scope listed in docs/crm.md (Settings → Integrations → "
        "Private apps → the app → Scopes), then commit the change",
    ),
    Problem.SETTING: (
        "HubSpot refused an id from [crm.hubspot] (400)",
        "check deal_pipeline, deal_stage and opportunity_stage in the team's TOML against "
        "the pipeline's internal ids (docs/crm.md, mapping stages)",
    ),
}


@dataclass(frozen=True)
class Company:
    name: str
    domain: str  # the key a company is found by; "" when none is known


@dataclass(frozen=True)
class Contact:
    email: str  # the key a contact is found by; "" when none is known
    first_name: str
    last_name: str
    title: str


@dataclass(frozen=True)
class Meeting:
    title: str
    start: datetime
    end: datetime
    body_html: str
    state: MeetingState


@dataclass(frozen=True)
class Deal:
    name: str
    pipeline: str
    stage: str  # the stage it is created in
    won_stage: str  # the stage an opportunity moves it to ("" to leave it)
    opportunity: bool  # the meeting created an opportunity


@dataclass(frozen=True)
class Writeback:
    """Everything the CRM should show for one handoff now. `create` is False for a handoff
    that ended before anything was written (canceled before acceptance): only objects
    already there are updated."""

    handoff_id: int
    company: Company
    contact: Contact
    owner_email: str  # the AE who owns the meeting, for the CRM's owner; "" if unknown
    meeting: Meeting | None
    note_html: str | None
    note_at: datetime
    deal: Deal | None
    rejection_html: str | None
    create: bool = True


Remember = Callable[[Record, str], None]


class Crm(Protocol):
    """A CRM the bot writes to. `sync` makes the CRM show `want`: objects in `known` are
    updated, the others are found (a company by domain, a contact by email) or created, and
    each new id goes to `remember` before the next call. With `recheck`, an earlier try may
    have created something whose id never came back: it is looked for before creating."""

    name: str

    def sync(
        self, want: Writeback, known: Mapping[Record, str], remember: Remember, *, recheck: bool
    ) -> None: ...


class CrmRefused(Exception):
    """The CRM refused for a reason only a person can fix (the row waits, the bot runs on)."""

    def __init__(self, problem: Problem, detail: str) -> None:
        super().__init__(f"{FIXES[problem][0]}: {detail}"[:200])
        self.problem = problem


class CrmBusy(Exception):
    """Rate limited or unavailable: try again after `wait`."""

    def __init__(self, detail: str, wait: timedelta) -> None:
        super().__init__(detail[:200])
        self.wait = wait


def meeting_state(handoff: Handoff) -> MeetingState:
    if handoff.status == Status.CANCELED:
        return MeetingState.CANCELED
    states = {
        MeetingOutcome.HELD_OPPORTUNITY.value: MeetingState.COMPLETED,
        MeetingOutcome.HELD_NO_FIT.value: MeetingState.COMPLETED,
        MeetingOutcome.NO_SHOW.value: MeetingState.NO_SHOW,
        MeetingOutcome.RESCHEDULED.value: MeetingState.RESCHEDULED,
    }
    return states.get(handoff.outcome or "", MeetingState.SCHEDULED)


def writeback(
    handoff: Handoff, config: Config, rules: CrmRules, *, owner_email: str
) -> Writeback | None:
    """What the CRM should show for `handoff`, or None when nothing is to be written."""
    q = handoff.qualification
    accepted = handoff.status == Status.ACCEPTED or (
        handoff.status == Status.CANCELED and handoff.decided_by is not None
    )
    rejected = handoff.status == Status.REJECTED and rules.reject_note
    if not (accepted or rejected):
        return None
    first, _, last = q.contact_name.strip().partition(" ")
    company = Company(q.company.strip(), company_domain(q.website, q.contact_email))
    contact = Contact(q.contact_email.strip().lower(), first, last.strip(), q.contact_title)
    body = qualification_html(handoff, config)
    meeting = deal = None
    note = rejection = None
    if accepted:
        start = handoff.meeting_time
        meeting = Meeting(
            f"{q.company} – intro meeting (handoff #{handoff.id})",
            start,
            start + timedelta(minutes=rules.meeting_minutes),
            body,
            meeting_state(handoff),
        )
        note = body
        if rules.deal_pipeline:
            deal = Deal(
                f"{q.company} (handoff #{handoff.id})",
                rules.deal_pipeline,
                rules.deal_stage,
                rules.opportunity_stage,
                handoff.outcome == MeetingOutcome.HELD_OPPORTUNITY,
            )
    else:
        rejection = rejection_html(handoff, config)
    return Writeback(
        handoff.id,
        company,
        contact,
        owner_email.strip().lower(),
        meeting,
        note,
        handoff.decided_at or handoff.submitted_at,
        deal,
        rejection,
        create=handoff.status != Status.CANCELED,
    )


def company_domain(website: str, email: str) -> str:
    """The company's domain: from its website, else from the contact's email."""
    text = website.strip().lower()
    if text:
        text = text.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
        return text.removeprefix("www.")
    _, at, domain = email.strip().lower().rpartition("@")
    return domain if at else ""


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(
        f"<p><strong>{html.escape(label)}:</strong> {html.escape(value)}</p>"
        for label, value in pairs
        if value
    )


def qualification_html(handoff: Handoff, config: Config) -> str:
    """The brief's content as HTML for a CRM's rich text: every typed value escaped."""
    q = handoff.qualification
    people = "; ".join(
        f"{s.name} ({s.title}{', ' + config.label('contact_roles', s.role) if s.role else ''})"
        for s in q.stakeholders
    )
    score = handoff.score
    verdict = ""
    if score is not None:
        unmet = [r.key for r in score.results if not r.met]
        verdict = f"{score.points}/100" + (f", not met: {', '.join(unmet)}" if unmet else "")
    return _rows(
        [
            ("Company", q.company),
            ("Contact", f"{q.contact_name}, {q.contact_title}"),
            ("Role", config.label("contact_roles", q.contact_role)),
            ("Pain", q.pain),
            ("Uses today", q.current_solution),
            ("Why now", q.trigger),
            ("People", people),
            ("Timing", config.label("timing", q.timing)),
            ("Budget", config.label("budget_status", q.budget_status)),
            ("Next steps", q.next_steps),
            ("Source", config.label("sources", q.source)),
            ("Score", verdict),
            ("Notes", q.notes),
        ]
    )


def rejection_html(handoff: Handoff, config: Config) -> str:
    return "<p>Meeting rejected by the AE.</p>" + _rows(
        [
            ("Reason", config.label("rejection_reasons", handoff.rejection_reason)),
            ("Comment", handoff.rejection_comment or ""),
            ("Company", handoff.qualification.company),
        ]
    )
