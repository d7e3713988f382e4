"""Transitions of a handoff: who may move it, from which state, with an audit event.

Each transition is a compare-and-set through the repository, so two AEs clicking
at once get one winner and one polite answer naming the winner.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from handoff.chasing import seconds_between
from handoff.model import (
    FINAL_OUTCOMES,
    OPEN_STATUSES,
    DisputeStatus,
    Handoff,
    MeetingOutcome,
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


def submit(
    repo: HandoffRepository,
    *,
    team_id: str,
    sdr_id: str,
    qualification: Qualification,
    score: Score,
    submission_key: str,
    now: datetime,
) -> Outcome:
    """Store a new handoff once per submission key (a double submit returns the first)."""
    existing = repo.get_by_submission_key(submission_key)
    if existing is not None:
        return Outcome(existing, changed=False)
    handoff = repo.add(
        team_id=team_id,
        sdr_id=sdr_id,
        qualification=qualification,
        score=score,
        submission_key=submission_key,
        now=now,
    )
    repo.record(handoff.id, actor=sdr_id, kind="submitted", data=_score_data(score), now=now)
    return Outcome(handoff, changed=True)


def _score_data(score: Score) -> dict[str, object]:
    return {
        "score": score.points,
        "clears_bar": score.clears_bar,
        "rubric_version": score.rubric_version,
    }


def mark_posted(
    repo: HandoffRepository, handoff_id: int, *, channel: str, ts: str, now: datetime
) -> bool:
    """Remember where the brief is (first post only) and open it for decisions."""
    first = repo.set_brief(handoff_id, channel=channel, ts=ts, now=now)
    repo.compare_and_set(
        handoff_id,
        from_statuses=(Status.SUBMITTED,),
        to_status=Status.PENDING,
        changes={"updated_at": now},
        bump_brief=False,
    )
    if first:
        repo.record(
            handoff_id, actor="bot", kind="brief_posted", data={"channel": channel}, now=now
        )
    return first


def decision_refusal(handoff: Handoff, actor: str) -> Refusal | None:
    """Why `actor` may not accept or reject this handoff now, or None if they may."""
    if handoff.status == Status.WITHDRAWN:
        return Refusal("withdrawn", handoff.status, handoff.sdr_id)
    if handoff.status in (Status.ACCEPTED, Status.REJECTED):
        return Refusal("already_decided", handoff.status, decider(handoff))
    if actor == handoff.sdr_id:
        return Refusal("own_handoff", handoff.status, actor)
    return None


def decider(handoff: Handoff) -> str | None:
    """Who made the decision that stands: the manager who overturned a rejection, else the AE."""
    if handoff.status == Status.ACCEPTED and handoff.dispute_status == DisputeStatus.OVERTURNED:
        return handoff.dispute_resolved_by
    return handoff.decided_by


def accept(repo: HandoffRepository, handoff_id: int, *, actor: str, now: datetime) -> Outcome:
    return _decide(repo, handoff_id, actor=actor, now=now, to=Status.ACCEPTED, extra={})


def reject(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    reason: str,
    comment: str,
    now: datetime,
) -> Outcome:
    extra: dict[str, object] = {"rejection_reason": reason, "rejection_comment": comment or None}
    return _decide(repo, handoff_id, actor=actor, now=now, to=Status.REJECTED, extra=extra)


def _decide(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    now: datetime,
    to: Status,
    extra: dict[str, object],
) -> Outcome:
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    refusal = decision_refusal(handoff, actor)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    changes: dict[str, object] = {
        "decided_by": actor,
        "decided_at": now,
        "updated_at": now,
        "seconds_to_decision": seconds_between(handoff.submitted_at, now),
        **extra,
    }
    won = repo.compare_and_set(
        handoff_id, from_statuses=OPEN_STATUSES, to_status=to, changes=changes
    )
    current = repo.get(handoff_id)
    assert current is not None
    if not won:
        # Someone else's compare-and-set landed between our read and our write.
        return Outcome(current, changed=False, refusal=decision_refusal(current, actor))
    data = {k: v for k, v in extra.items() if v is not None}
    repo.record(handoff_id, actor=actor, kind=to.value, data=data, now=now)
    return Outcome(current, changed=True)


def edit_refusal(handoff: Handoff, actor: str) -> Refusal | None:
    """Why `actor` may not edit or withdraw this handoff now, or None if they may."""
    if actor != handoff.sdr_id:
        return Refusal("not_booker", handoff.status, handoff.sdr_id)
    if handoff.status == Status.WITHDRAWN:
        return Refusal("withdrawn", handoff.status, handoff.sdr_id)
    if handoff.status in (Status.ACCEPTED, Status.REJECTED):
        return Refusal("already_decided", handoff.status, decider(handoff))
    return None


def revise(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    qualification: Qualification,
    score: Score,
    now: datetime,
) -> Outcome:
    """The booker edits an undecided handoff; the brief is re-rendered and marked edited."""
    handoff = _get(repo, handoff_id)
    refusal = edit_refusal(handoff, actor)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    won = repo.revise(handoff_id, qualification=qualification, score=score, now=now)
    current = _get(repo, handoff_id)
    if not won:
        return Outcome(current, changed=False, refusal=edit_refusal(current, actor))
    repo.record(handoff_id, actor=actor, kind="edited", data=_score_data(score), now=now)
    return Outcome(current, changed=True)


def withdraw(repo: HandoffRepository, handoff_id: int, *, actor: str, now: datetime) -> Outcome:
    """The booker takes back an undecided handoff; the brief loses its buttons."""
    handoff = _get(repo, handoff_id)
    refusal = edit_refusal(handoff, actor)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    won = repo.compare_and_set(
        handoff_id,
        from_statuses=OPEN_STATUSES,
        to_status=Status.WITHDRAWN,
        changes={"updated_at": now},
    )
    current = _get(repo, handoff_id)
    if not won:
        return Outcome(current, changed=False, refusal=edit_refusal(current, actor))
    repo.record(handoff_id, actor=actor, kind="withdrawn", data={}, now=now)
    return Outcome(current, changed=True)


def _get(repo: HandoffRepository, handoff_id: int) -> Handoff:
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    return handoff


# -- after the decision: outcomes and reassignment ------------------------------------------------


class OutcomeRepository(HandoffRepository, Protocol):
    def set_outcome(
        self, handoff_id: int, *, expect_round: int, changes: dict[str, object]
    ) -> bool:
        """Compare-and-set on an accepted handoff whose outcome is still open in this round."""
        ...


def outcome_refusal(handoff: Handoff, actor: str, managers: Collection[str]) -> Refusal | None:
    """Why `actor` may not log this meeting's outcome, or None: the AE or a manager may."""
    if handoff.status != Status.ACCEPTED:
        return Refusal("not_accepted", handoff.status, handoff.decided_by)
    if actor not in (handoff.ae_id, handoff.decided_by) and actor not in managers:
        return Refusal("not_allowed", handoff.status, handoff.ae_id)
    if handoff.outcome in FINAL_OUTCOMES:
        return Refusal("outcome_logged", handoff.status, handoff.outcome_by)
    return None


def log_outcome(
    repo: OutcomeRepository,
    handoff_id: int,
    *,
    actor: str,
    outcome: MeetingOutcome,
    managers: Collection[str],
    now: datetime,
    rescheduled_to: datetime | None = None,
) -> Outcome:
    """Record what happened at the meeting; a reschedule starts the outcome chase over."""
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    refusal = outcome_refusal(handoff, actor, managers)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    changes: dict[str, object] = {
        "outcome": outcome.value,
        "outcome_at": now,
        "outcome_by": actor,
        "updated_at": now,
    }
    data: dict[str, object] = {"outcome": outcome.value}
    if outcome == MeetingOutcome.RESCHEDULED:
        if rescheduled_to is None or rescheduled_to <= now:
            raise ValueError("a rescheduled meeting needs a new date in the future")
        changes["rescheduled_to"] = rescheduled_to
        changes["chase_round"] = handoff.chase_round + 1
        data["rescheduled_to"] = rescheduled_to.isoformat()
    else:
        changes["seconds_to_outcome"] = seconds_between(handoff.meeting_time, now)
    won = repo.set_outcome(handoff_id, expect_round=handoff.chase_round, changes=changes)
    current = repo.get(handoff_id)
    assert current is not None
    if not won:
        refusal = outcome_refusal(current, actor, managers)
        return Outcome(
            current,
            changed=False,
            refusal=refusal or Refusal("outcome_logged", current.status, current.outcome_by),
        )
    repo.record(handoff_id, actor=actor, kind="outcome", data=data, now=now)
    return Outcome(current, changed=True)


def reassign_refusal(
    handoff: Handoff, actor: str, to_ae: str, managers: Collection[str]
) -> Refusal | None:
    if actor not in managers:
        return Refusal("not_manager", handoff.status, None)
    if handoff.status == Status.WITHDRAWN:
        return Refusal("withdrawn", handoff.status, handoff.sdr_id)
    if handoff.status == Status.REJECTED:
        return Refusal("already_decided", handoff.status, handoff.decided_by)
    if to_ae == handoff.sdr_id:
        return Refusal("own_handoff", handoff.status, to_ae)
    return None


def reassign(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    to_ae: str,
    managers: Collection[str],
    now: datetime,
) -> Outcome:
    """A manager gives the meeting to an AE: an undecided brief is then accepted on their
    behalf; an accepted one changes owner (and whom the outcome chase asks)."""
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    refusal = reassign_refusal(handoff, actor, to_ae, managers)
    if refusal:
        return Outcome(handoff, changed=False, refusal=refusal)
    if handoff.ae_id == to_ae:
        return Outcome(handoff, changed=False)
    changes: dict[str, object] = {
        "reassigned_ae_id": to_ae,
        "reassigned_by": actor,
        "reassigned_at": now,
        "updated_at": now,
    }
    if handoff.is_open:
        changes.update(
            decided_by=to_ae,
            decided_at=now,
            seconds_to_decision=seconds_between(handoff.submitted_at, now),
        )
        from_statuses: tuple[Status, ...] = OPEN_STATUSES
    else:
        from_statuses = (Status.ACCEPTED,)
    won = repo.compare_and_set(
        handoff_id, from_statuses=from_statuses, to_status=Status.ACCEPTED, changes=changes
    )
    current = repo.get(handoff_id)
    assert current is not None
    if not won:
        refusal = reassign_refusal(current, actor, to_ae, managers)
        return Outcome(current, changed=False, refusal=refusal)
    data = {"to": to_ae, "from": handoff.ae_id} if handoff.ae_id else {"to": to_ae}
    repo.record(handoff_id, actor=actor, kind="reassigned", data=data, now=now)
    return Outcome(current, changed=True)


# -- disputes: the SDR contests a rejection once, a manager upholds or overturns it ---------------

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
        return Refusal("not_booker", handoff.status, handoff.sdr_id)
    if handoff.dispute_status is not None:
        by = handoff.dispute_resolved_by or handoff.sdr_id
        return Refusal("already_disputed", handoff.status, by)
    if handoff.status != Status.REJECTED:
        return Refusal("not_rejected", handoff.status, handoff.decided_by)
    if not managers:
        return Refusal("no_managers", handoff.status, None)
    decided = handoff.decided_at or handoff.submitted_at
    if window is not None and now - decided > window:
        return Refusal("too_late", handoff.status, handoff.decided_by)
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
    handoff = _get(repo, handoff_id)
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
    current = _get(repo, handoff_id)
    if not won:
        refusal = dispute_refusal(current, actor, managers=managers, now=now, window=window)
        return Outcome(
            current,
            changed=False,
            refusal=refusal or Refusal("already_disputed", current.status, current.sdr_id),
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
        return Refusal("not_manager", handoff.status, None)
    if handoff.dispute_status in (DisputeStatus.UPHELD, DisputeStatus.OVERTURNED):
        return Refusal("dispute_resolved", handoff.status, handoff.dispute_resolved_by)
    if handoff.dispute_status != DisputeStatus.OPEN or handoff.status != Status.REJECTED:
        return Refusal("not_disputed", handoff.status, handoff.decided_by)
    if actor in (handoff.sdr_id, handoff.decided_by):
        return Refusal("conflict", handoff.status, actor)
    if to_ae is not None and to_ae == handoff.sdr_id:
        return Refusal("own_handoff", handoff.status, to_ae)
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
    handoff = _get(repo, handoff_id)
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
    current = _get(repo, handoff_id)
    if not won:
        refusal = resolve_refusal(current, actor, managers, target)
        return Outcome(
            current,
            changed=False,
            refusal=refusal
            or Refusal("dispute_resolved", current.status, current.dispute_resolved_by),
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
