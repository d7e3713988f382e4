"""Plain data the rest of the bot passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  # stored, brief not posted yet
    PENDING = "pending"  # brief posted, waiting for an AE
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = (Status.SUBMITTED, Status.PENDING)
DECIDED_STATUSES = (Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN)


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
    events: tuple[Event, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    kind: str
    data: dict[str, object]
