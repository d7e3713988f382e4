"""Disputes: the SDR contests a rejection once; a manager upholds or overturns it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Protocol

from handoff.lifecycle.base import (
    HandoffRepository,
    Outcome,
    Refusal,
    RefusalKind,
    get_or_raise,
)
from handoff.model import (
    DisputeStatus,
    Handoff,
    Status,
)

DISPUTE_CASE_MAX = 1000


class DisputeRepository(HandoffRepository, Protocol):
    def set_dispute(
        self,
        handoff_id: int,
        *,
        expect: str | None,
        to_status: Status,
        changes: dict[str, object],
    ) -> bool:
        """Compare-and-set on a rejected handoff whose dispute_status is `expect`
        (None: never disputed); the brief goes stale."""
        ...


def dispute_refusal(
    handoff: Handoff,
    actor: str,
    *,
    managers: Collection[str],
    now: datetime,
    window: timedelta | None,
) -> Refusal | None:
    """Why `actor` may not dispute this handoff's rejection now, or None if they may.

    Only the booker, only a rejection, only once, only within `window` of the
    rejection (None: no limit), and only when there are managers to decide it.
    """
    if actor != handoff.sdr_id:
        return Refusal(RefusalKind.DISPUTE_NOT_BOOKER, handoff.status, handoff.sdr_id)
    if handoff.dispute_status is not None:
        by = handoff.dispute_resolved_by or handoff.sdr_id
        return Refusal(RefusalKind.ALREADY_DISPUTED, handoff.status, by)
    if handoff.status != Status.REJECTED:
        return Refusal(RefusalKind.NOT_REJECTED, handoff.status, handoff.decided_by)
    if not managers:
        return Refusal(RefusalKind.NO_MANAGERS, handoff.status, None)
    decided = handoff.decided_at or handoff.submitted_at
    if window is not None and now - decided > window:
        return Refusal(RefusalKind.TOO_LATE, handoff.status, handoff.decided_by)
    return None


def dispute(
    repo: DisputeRepository,
    handoff_id: int,
    *,
    actor: str,
    case: str,
    managers: Collection[str],
    now: datetime,
    window: timedelta | None,
) -> Outcome:
    """The booker disputes the rejection with their case; the managers will decide."""
    case = case.strip()
    if not case or len(case) > DISPUTE_CASE_MAX:
        raise ValueError(f"a dispute needs a case of 1–{DISPUTE_CASE_MAX} characters")
    handoff = get_or_raise(repo, handoff_id)
    refusal = dispute_refusal(handoff, actor, managers=managers, now=now, window=window)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    changes: dict[str, object] = {
        "dispute_status": DisputeStatus.OPEN,
        "dispute_case": case,
        "disputed_at": now,
        "updated_at": now,
    }
    won = repo.set_dispute(handoff_id, expect=None, to_status=Status.REJECTED, changes=changes)
    current = get_or_raise(repo, handoff_id)
    if not won:
        refusal = dispute_refusal(current, actor, managers=managers, now=now, window=window)
        return Outcome(
            current,
            changed=False,
            refusal=refusal
            or Refusal(RefusalKind.ALREADY_DISPUTED, current.status, current.sdr_id),
        )
    data: dict[str, object] = {
        "case": case,
        "rejected_by": handoff.decided_by,
        "rejection_reason": handoff.rejection_reason,
    }
    repo.record(handoff_id, actor=actor, kind="disputed", data=data, now=now)
    return Outcome(current, changed=True)


def resolve_refusal(
    handoff: Handoff, actor: str, managers: Collection[str], to_ae: str | None = None
) -> Refusal | None:
    """Why `actor` may not resolve this dispute (or give the meeting to `to_ae`), or None.

    A manager only, once, on an open dispute; and never the booker judging their own
    dispute nor the AE who rejected it judging their own rejection.
    """
    if actor not in managers:
        return Refusal(RefusalKind.DISPUTE_NOT_MANAGER, handoff.status, None)
    if handoff.dispute_status in (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED):
        return Refusal(RefusalKind.DISPUTE_RESOLVED, handoff.status, handoff.dispute_resolved_by)
    if handoff.dispute_status != DisputeStatus.OPEN or handoff.status != Status.REJECTED:
        return Refusal(RefusalKind.NOT_DISPUTED, handoff.status, handoff.decided_by)
    if actor in (handoff.sdr_id, handoff.decided_by):
        return Refusal(RefusalKind.CONFLICT, handoff.status, actor)
    if to_ae is not None and to_ae == handoff.sdr_id:
        return Refusal(RefusalKind.BOOKER_AS_AE, handoff.status, to_ae)
    return None


def resolve_dispute(
    repo: DisputeRepository,
    handoff_id: int,
    *,
    actor: str,
    overturn: bool,
    managers: Collection[str],
    now: datetime,
    to_ae: str | None = None,
) -> Outcome:
    """A manager upholds the rejection (it stays rejected) or overturns it: then it counts
    as accepted and `to_ae` owns the meeting. The AE's decision (decided_by, decided_at,
    rejection_reason, rejection_comment) stays on the row and in the event log."""
    if overturn and not to_ae:
        raise ValueError("an overturned rejection needs the AE who takes the meeting")
    handoff = get_or_raise(repo, handoff_id)
    target = to_ae if overturn else None
    refusal = resolve_refusal(handoff, actor, managers, target)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    changes: dict[str, object] = {
        "dispute_status": DisputeStatus.OVERTURNED if overturn else DisputeStatus.UPHELD,
        "dispute_resolved_by": actor,
        "dispute_resolved_at": now,
        "updated_at": now,
    }
    if overturn:
        changes.update(reassigned_ae_id=to_ae, reassigned_by=actor, reassigned_at=now)
    won = repo.set_dispute(
        handoff_id,
        expect=DisputeStatus.OPEN,
        to_status=Status.ACCEPTED if overturn else Status.REJECTED,
        changes=changes,
    )
    current = get_or_raise(repo, handoff_id)
    if not won:
        refusal = resolve_refusal(current, actor, managers, target)
        return Outcome(
            current,
            changed=False,
            refusal=refusal
            or Refusal(RefusalKind.DISPUTE_RESOLVED, current.status, current.dispute_resolved_by),
        )
    data: dict[str, object] = {
        "rejected_by": handoff.decided_by,
        "rejection_reason": handoff.rejection_reason,
    }
    if handoff.rejection_comment:
        data["rejection_comment"] = handoff.rejection_comment
    if overturn:
        data["to"] = to_ae
    kind = "dispute_overturned" if overturn else "dispute_upheld"
    repo.record(handoff_id, actor=actor, kind=kind, data=data, now=now)
    return Outcome(current, changed=True)


def dispute_window(days: int) -> timedelta | None:
    """The `[disputes] window_days` setting as a window (0: no limit)."""
    return timedelta(days=days) if days > 0 else None
