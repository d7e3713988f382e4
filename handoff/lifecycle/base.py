"""What every transition shares: the repository it needs and what it returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
    ) -> Handoff: ...

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


@dataclass(frozen=True)
class Refusal:
    """Why a transition was refused: `kind` is the rule, `by` who decided before."""

    # already_decided | withdrawn | own_handoff | not_booker; after the decision:
    # not_accepted | not_allowed | outcome_logged | not_manager; disputes: not_rejected |
    # already_disputed | no_managers | too_late | dispute_resolved | not_disputed | conflict
    kind: str
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
