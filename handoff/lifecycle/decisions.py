"""Submitting, posting, and the AE's decision: accept or reject, first click wins."""

from __future__ import annotations

from datetime import datetime

from handoff.chasing import seconds_between
from handoff.lifecycle.base import (
    HandoffRepository,
    Outcome,
    Refusal,
    RefusalKind,
    UnknownHandoff,
)
from handoff.model import (
    OPEN_STATUSES,
    DisputeStatus,
    Handoff,
    Qualification,
    Score,
    Status,
)


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
    if handoff is None:  # a concurrent copy of the same submission won the unique key
        first = repo.get_by_submission_key(submission_key)
        assert first is not None
        return Outcome(first, changed=False)
    repo.record(handoff.id, actor=sdr_id, kind="submitted", data=score_data(score), now=now)
    return Outcome(handoff, changed=True)


def score_data(score: Score) -> dict[str, object]:
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


def decision_refusal(handoff: Handoff, actor: str, *, is_ae: bool) -> Refusal | None:
    """Why `actor` may not accept or reject this handoff now, or None if they may: an AE
    (see bot/roles.py for who counts) who did not book it, while it is open."""
    if handoff.status == Status.WITHDRAWN:
        return Refusal(RefusalKind.WITHDRAWN, handoff.status, handoff.sdr_id)
    if handoff.status == Status.CANCELED:
        return Refusal(RefusalKind.CANCELED, handoff.status, None)
    if handoff.status in (Status.ACCEPTED, Status.REJECTED):
        return Refusal(RefusalKind.ALREADY_DECIDED, handoff.status, decider(handoff))
    if actor == handoff.sdr_id:
        return Refusal(RefusalKind.OWN_HANDOFF, handoff.status, actor)
    if not is_ae:
        return Refusal(RefusalKind.NOT_AE, handoff.status, actor)
    return None


def decider(handoff: Handoff) -> str | None:
    """Who made the decision that stands: the manager who overturned a rejection, else the AE."""
    if handoff.status == Status.ACCEPTED and handoff.dispute_status == DisputeStatus.OVERTURNED:
        return handoff.dispute_resolved_by
    return handoff.decided_by


def accept(
    repo: HandoffRepository, handoff_id: int, *, actor: str, is_ae: bool, now: datetime
) -> Outcome:
    return _decide(
        repo, handoff_id, actor=actor, is_ae=is_ae, now=now, to=Status.ACCEPTED, extra={}
    )


def reject(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    is_ae: bool,
    reason: str,
    comment: str,
    now: datetime,
) -> Outcome:
    extra: dict[str, object] = {"rejection_reason": reason, "rejection_comment": comment or None}
    return _decide(
        repo, handoff_id, actor=actor, is_ae=is_ae, now=now, to=Status.REJECTED, extra=extra
    )


def _decide(
    repo: HandoffRepository,
    handoff_id: int,
    *,
    actor: str,
    is_ae: bool,
    now: datetime,
    to: Status,
    extra: dict[str, object],
) -> Outcome:
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    refusal = decision_refusal(handoff, actor, is_ae=is_ae)
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
        return Outcome(
            current, changed=False, refusal=decision_refusal(current, actor, is_ae=is_ae)
        )
    data = {k: v for k, v in extra.items() if v is not None}
    repo.record(handoff_id, actor=actor, kind=to.value, data=data, now=now)
    return Outcome(current, changed=True)
