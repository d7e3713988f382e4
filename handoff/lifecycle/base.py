"""What every transition shares: the repository it needs and what it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from handoff.model import (
    Handoff,
    Qualification,
    Score,
    Status,
)


class HandoffRepository(Protocol):
    def add(
        self,
        *,
        team_id: str,
        sdr_id: str,
        qualification: Qualification,
        score: Score,
        submission_key: str,
        now: datetime,
    ) -> Handoff | None: ...

    def revise(
        self, handoff_id: int, *, qualification: Qualification, score: Score, now: datetime
    ) -> bool: ...

    def get(self, handoff_id: int) -> Handoff | None: ...

    def get_by_submission_key(self, key: str) -> Handoff | None: ...

    def compare_and_set(
        self,
        handoff_id: int,
        *,
        from_statuses: Sequence[Status],
        to_status: Status,
        changes: dict[str, object],
        bump_brief: bool = True,
    ) -> bool: ...

    def set_brief(self, handoff_id: int, *, channel: str, ts: str, now: datetime) -> bool: ...

    def record(
        self, handoff_id: int, *, actor: str, kind: str, data: dict[str, object], now: datetime
    ) -> None: ...


class RefusalKind(StrEnum):
    """The rule that refused a transition; each has its own answer in bot/surfaces/refusals.py."""

    ALREADY_DECIDED = "already_decided"
    WITHDRAWN = "withdrawn"
    CANCELED = "canceled"  # the meeting was canceled in its scheduling tool
    OWN_HANDOFF = "own_handoff"  # the booker cannot accept or reject their own meeting
    NOT_AE = "not_ae"  # only an AE accepts or rejects
    NOT_BOOKER = "not_booker"  # only the booker edits or withdraws
    NOT_ACCEPTED = "not_accepted"  # no meeting outcome before an acceptance
    NOT_OWNER = "not_owner"  # only the AE who owns the meeting (or a manager) logs its outcome
    OUTCOME_LOGGED = "outcome_logged"
    NOT_MANAGER = "not_manager"  # reassign and nudge are the managers'
    BOOKER_AS_AE = "booker_as_ae"  # the meeting cannot go to the SDR who booked it
    DISPUTE_NOT_BOOKER = "dispute_not_booker"
    ALREADY_DISPUTED = "already_disputed"
    NOT_REJECTED = "not_rejected"
    NO_MANAGERS = "no_managers"  # nobody could decide a dispute
    TOO_LATE = "too_late"  # past the dispute window
    DISPUTE_NOT_MANAGER = "dispute_not_manager"
    DISPUTE_RESOLVED = "dispute_resolved"
    NOT_DISPUTED = "not_disputed"
    CONFLICT = "conflict"  # a manager who booked or rejected it cannot judge it


@dataclass(frozen=True)
class Refusal:
    """Why a transition was refused: `kind` is the rule, `by` who decided before."""

    kind: RefusalKind
    status: Status
    by: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a transition did; `refusal` says why nothing changed."""

    handoff: Handoff
    changed: bool
    refusal: Refusal | None = None


class UnknownHandoff(LookupError):
    pass


def get_or_raise(repo: HandoffRepository, handoff_id: int) -> Handoff:
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    return handoff
