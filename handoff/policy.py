"""The team's rules as plain values: chasing, the weekly digest, disputes.

Parsed from TOML by handoff/config; nothing here reads a file or raises a config error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Policy:
    """`[chasing]`: SLAs, business hours, holidays and quiet hours."""

    timezone: str = "America/New_York"
    workday_start: time = time(9, 0)
    workday_end: time = time(17, 0)
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday is 0
    holiday_country: str | None = "US"
    holiday_subdivision: str | None = None
    response_sla_hours: float = 2.0
    escalation_sla_days: float = 1.0
    outcome_grace_hours: float = 2.0
    outcome_chases: int = 3
    quiet_start: time | None = time(19, 0)
    quiet_end: time | None = time(8, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class DigestPolicy:
    """`[digest]`: when the weekly digest goes out and what it flags."""

    day: int = 0  # Monday is 0
    at: time = time(9, 0)  # in [chasing].timezone
    dm_managers: bool = True
    top: int = 8  # rows per table; the rest are summed as "+K more"
    stale: int = 5  # oldest undecided briefs listed
    calibration_weeks: int = 13
    calibration_min_sample: int = 10  # fewer on either side of a comparison: no verdict yet
    score_bands: tuple[int, ...] = (40, 70)  # edges: 0–39, 40–69, 70–100
    rubber_stamp_min_decisions: int = 8
    rubber_stamp_points: int = 25
    coaching_min_rejections: int = 5
    coaching_share: int = 60  # percent of one SDR's rejections with one reason


@dataclass(frozen=True)
class DisputeRules:
    """`[disputes]`: how long after a rejection the SDR may still dispute it."""

    window_days: int = 30  # calendar days from the rejection; 0: no limit


@dataclass(frozen=True)
class BookingRules:
    """`[booking]`: when the SDR is reminded of a booked meeting not qualified yet."""

    remind_hours_before: int = 24  # wall-clock hours before the meeting; 0: never
    # A booker's email → their Slack user, set in the file (before any lookup or command).
    people: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CrmRules:
    """`[crm.hubspot]`: what an accepted handoff writes to the CRM beyond the meeting and
    its note. Stage and pipeline values are the CRM's internal ids, not their labels."""

    deal_pipeline: str = ""  # "": no deal is created
    deal_stage: str = ""  # the stage a new deal starts in
    opportunity_stage: str = ""  # the stage "held – opportunity created" moves it to
    reject_note: bool = True  # a rejection writes a note with its reason
    meeting_minutes: int = 30  # the meeting's length in the CRM (a handoff has no end)


WEBHOOK_EVENTS = (
    "handoff.submitted",
    "handoff.accepted",
    "handoff.rejected",
    "handoff.outcome_logged",
    "handoff.disputed",
    "handoff.canceled",
)


@dataclass(frozen=True)
class WebhookRule:
    """One `[[webhooks]]` entry: where to POST which events, signed with `secret` (or the
    secret in the environment variable `secret_env`, read by the bot at start-up)."""

    name: str
    url: str
    events: tuple[str, ...]
    secret: str = ""
    secret_env: str = ""


DEFAULT_POLICY = Policy()
DEFAULT_DIGEST = DigestPolicy()
