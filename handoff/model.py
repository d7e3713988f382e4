"""Plain data the rest of the bot passes around."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  # stored, brief not posted yet
    PENDING = "pending"  # brief posted, waiting for an AE
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELED = "canceled"  # the meeting was canceled in the scheduling tool it was booked in


class DisputeStatus(StrEnum):
    """A rejection the SDR contested: open until a manager upholds or overturns it."""

    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


OPEN_STATUSES = (Status.SUBMITTED, Status.PENDING)
DECIDED_STATUSES = (Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN)


class MessageKind(StrEnum):
    """Every message the bot sends about a handoff; with a level, the ledger's unique key."""

    BRIEF = "brief"  # the brief in the AE channel
    DECISION_DM = "decision_dm"  # the SDR is told the AE's decision
    CHASE_REMINDER = "chase_reminder"  # handoff.chasing.ChaseKind, by value
    CHASE_ESCALATION = "chase_escalation"
    CHASE_OUTCOME = "chase_outcome"
    OUTCOME_THREAD = "outcome_thread"  # the logged outcome, in the brief's thread
    OUTCOME_SDR = "outcome_sdr"  # ... and to the SDR
    REASSIGN_THREAD = "reassign_thread"
    NUDGE = "nudge"  # a manager asks the channel to take an undecided brief
    DISPUTE = "dispute"  # the managers' DM with the SDR's case
    DISPUTE_RESULT = "dispute_result"  # the SDR is told the verdict
    DISPUTE_THREAD = "dispute_thread"  # after an overturn, the brief's thread
    STUCK = "stuck"  # the managers are told a message kept failing (once per handoff)
    BOOKING_DM = "booking_dm"  # the SDR is asked to qualify a meeting booked in a tool
    BOOKING_UNMATCHED = "booking_unmatched"  # the managers: whose is this booking?
    # The SDR is reminded of a booking still unqualified (level: the meeting's minute).
    BOOKING_REMINDER = "booking_reminder"
    # The scheduling tool moved or canceled the meeting (level: the nth such change).
    MEETING_THREAD = "meeting_thread"  # ... said in the brief's thread
    MEETING_AE = "meeting_ae"  # ... and to the AE who owns the meeting
    # Outside Slack: the CRM brought in line with the handoff (a sync, one row per handoff),
    # the managers told once of a CRM error only they can fix (level: handoff.crm.Problem),
    # and one outgoing webhook delivery (level: its webhook_deliveries id).
    CRM = "crm"
    CRM_PROBLEM = "crm_problem"
    WEBHOOK = "webhook"
    # Kept in step with the database rather than sent once: re-armed by every change.
    HOME = "home"  # one person's App Home tab
    DECISION_DM_UPDATE = "decision_dm_update"  # the SDR's decision DM re-rendered
    OUTCOME_DMS_UPDATE = "outcome_dms_update"  # the AE's outcome DMs lose their buttons
    DISPUTE_DM_UPDATE = "dispute_dm_update"  # the managers' dispute DM shows the verdict


class Field(StrEnum):
    """Every answer of the qualification form, by its stored name."""

    COMPANY = "company"
    MEETING_AT = "meeting_at"
    INDUSTRY = "industry"
    COMPANY_SIZE = "company_size"
    REGION = "region"
    CONTACT_NAME = "contact_name"
    CONTACT_TITLE = "contact_title"
    CONTACT_ROLE = "contact_role"
    STAKEHOLDERS = "stakeholders"
    PAIN = "pain"
    TIMING = "timing"
    BUDGET_STATUS = "budget_status"
    NEXT_STEPS = "next_steps"
    SOURCE = "source"
    NOTES = "notes"
    CONTACT_EMAIL = "contact_email"
    WEBSITE = "website"
    CURRENT_SOLUTION = "current_solution"
    TRIGGER = "trigger"
    NEXT_STEPS_STATUS = "next_steps_status"
    INTENT_SIGNALS = "intent_signals"
    SUGGESTED_AE = "suggested_ae_id"


@dataclass(frozen=True)
class Stakeholder:
    name: str
    title: str
    role: str | None = None


@dataclass(frozen=True)
class Qualification:
    company: str
    meeting_at: datetime
    industry: str
    company_size: str
    region: str
    contact_name: str
    contact_title: str
    contact_role: str
    pain: str
    timing: str
    budget_status: str
    next_steps: str
    source: str
    stakeholders: tuple[Stakeholder, ...] = ()
    notes: str = ""
    contact_email: str = ""
    website: str = ""
    current_solution: str = ""
    trigger: str = ""
    next_steps_status: str = "agreed"
    intent_signals: tuple[str, ...] = ()
    # Answers to the rubric's extra fit checks, by check key.
    fit_answers: Mapping[str, str] = field(default_factory=dict)
    # The AE the SDR thinks should take it; reminders mention them instead of the channel.
    suggested_ae_id: str | None = None


@dataclass(frozen=True)
class Handoff:
    id: int
    team_id: str
    sdr_id: str
    status: Status
    qualification: Qualification
    rubric_version: str
    submitted_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    rejection_reason: str | None = None
    rejection_comment: str | None = None
    brief_channel: str | None = None
    brief_ts: str | None = None
    brief_version: int = 1
    brief_synced_version: int = 0
    score: Score | None = None
    edited_at: datetime | None = None
    events: tuple[Event, ...] = field(default=())
    suggested_ae_id: str | None = None
    posted_at: datetime | None = None
    outcome: str | None = None  # None is unknown: never assume a meeting was held
    outcome_at: datetime | None = None
    outcome_by: str | None = None
    rescheduled_to: datetime | None = None
    chase_round: int = 0  # bumped on each reschedule, so the outcome chase starts over
    seconds_to_decision: int | None = None
    seconds_to_outcome: int | None = None
    reassigned_ae_id: str | None = None
    reassigned_by: str | None = None
    reassigned_at: datetime | None = None
    dispute_status: str | None = None  # open | upheld | overturned
    dispute_case: str | None = None
    disputed_at: datetime | None = None
    dispute_resolved_at: datetime | None = None
    dispute_resolved_by: str | None = None
    next_chase_at: datetime | None = None  # when the sweep looks at it again

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def ae_id(self) -> str | None:
        """The AE who owns the meeting now: the one a manager assigned, else who accepted."""
        if self.reassigned_ae_id:
            return self.reassigned_ae_id
        return self.decided_by if self.status == Status.ACCEPTED else None

    @property
    def meeting_time(self) -> datetime:
        """When the meeting is (to be) held: the new date after a reschedule."""
        return self.rescheduled_to or self.qualification.meeting_at


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    kind: str
    data: dict[str, object]


@dataclass(frozen=True)
class CriterionResult:
    key: str
    met: bool
    weight: int
    reason: str  # plain words, for the SDR, the AE and the reports
    must_meet: bool = False  # a gate of the bar under the rubric that judged it


@dataclass(frozen=True)
class Score:
    """A qualification judged by one rubric version."""

    points: int  # 0–100
    results: tuple[CriterionResult, ...]
    clears_bar: bool
    missing: tuple[str, ...]  # must-meet criteria not met
    rubric_version: str
    high_intent: bool = False

    def result(self, key: str) -> CriterionResult | None:
        return next((r for r in self.results if r.key == key), None)


class MeetingOutcome(StrEnum):
    """What happened at an accepted meeting, as the AE logs it. Unlogged stays unknown."""

    HELD_OPPORTUNITY = "held_opportunity"
    HELD_NO_FIT = "held_no_fit"
    NO_SHOW = "no_show"
    RESCHEDULED = "rescheduled"


OUTCOME_LABELS = {
    MeetingOutcome.HELD_OPPORTUNITY: "Held – opportunity created",
    MeetingOutcome.HELD_NO_FIT: "Held – not a fit",
    MeetingOutcome.NO_SHOW: "No-show",
    MeetingOutcome.RESCHEDULED: "Rescheduled",
}
# Outcomes after which nobody is asked again.
FINAL_OUTCOMES = (
    MeetingOutcome.HELD_OPPORTUNITY,
    MeetingOutcome.HELD_NO_FIT,
    MeetingOutcome.NO_SHOW,
)
