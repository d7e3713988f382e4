"""After the decision: the meeting's outcome, and a manager's reassignment."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from handoff.chasing import seconds_between
from handoff.lifecycle.base import (
    HandoffRepository,
    Outcome,
    Refusal,
    RefusalKind,
    UnknownHandoff,
)
from handoff.model import (
    FINAL_OUTCOMES,
    OPEN_STATUSES,
    Handoff,
    MeetingOutcome,
    Status,
)


class OutcomeRepository(HandoffRepository, Protocol):
    def set_outcome(
        self, handoff_id: int, *, expect_round: int, changes: dict[str, object]
    ) -> bool:
        """Compare-and-set on an accepted handoff whose outcome is still open in this round."""
        ...


def outcome_refusal(handoff: Handoff, actor: str, managers: Collection[str]) -> Refusal | None:
    """Why `actor` may not log this meeting's outcome, or None: the AE who owns the meeting
    now (not one who lost it to a reassignment or an overturned rejection) or a manager."""
    if handoff.status == Status.CANCELED:
        return Refusal(RefusalKind.CANCELED, handoff.status, None)
    if handoff.status != Status.ACCEPTED:
        return Refusal(RefusalKind.NOT_ACCEPTED, handoff.status, handoff.decided_by)
    if actor != handoff.ae_id and actor not in managers:
        return Refusal(RefusalKind.NOT_OWNER, handoff.status, handoff.ae_id)
    if handoff.outcome in FINAL_OUTCOMES:
        return Refusal(RefusalKind.OUTCOME_LOGGED, handoff.status, handoff.outcome_by)
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
            refusal=refusal
            or Refusal(RefusalKind.OUTCOME_LOGGED, current.status, current.outcome_by),
        )
    repo.record(handoff_id, actor=actor, kind="outcome", data=data, now=now)
    return Outcome(current, changed=True)


def meeting_moved(
    repo: HandoffRepository, handoff_id: int, *, to: datetime, by: str, now: datetime
) -> Outcome:
    """The scheduling tool the meeting was booked in (`by`) moved it to `to`. Before a
    decision the handoff's meeting time changes (the brief shows it); once accepted, the
    meeting is rescheduled as if its AE had logged it (`by` in their place): the brief says
    so and the outcome chase starts over for the new time. A rejected or withdrawn
    handoff, or one whose outcome is logged for good, stays as it is."""
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    if to == handoff.meeting_time:
        return Outcome(handoff, changed=False)
    changes: dict[str, object] = {"updated_at": now}
    if handoff.status in OPEN_STATUSES:
        changes["meeting_at"] = to
    elif handoff.status == Status.ACCEPTED and handoff.outcome not in FINAL_OUTCOMES:
        # The sweep times the chases of the new round from now on.
        changes.update(
            outcome=MeetingOutcome.RESCHEDULED.value,
            outcome_at=now,
            outcome_by=by[:32],
            rescheduled_to=to,
            chase_round=handoff.chase_round + 1,
            next_chase_at=now,
        )
    else:
        return Outcome(handoff, changed=False)
    status = Status(handoff.status)
    won = repo.compare_and_set(
        handoff_id, from_statuses=(status,), to_status=status, changes=changes
    )
    current = repo.get(handoff_id)
    assert current is not None
    if not won:  # decided meanwhile: the next delivery of the tool finds it as it is now
        return Outcome(current, changed=False)
    data: dict[str, object] = {"from": handoff.meeting_time.isoformat(), "to": to.isoformat()}
    data["by"] = by
    repo.record(handoff_id, actor=by[:32], kind="meeting_moved", data=data, now=now)
    return Outcome(current, changed=True)


def meeting_canceled(
    repo: HandoffRepository, handoff_id: int, *, by: str, reason: str, now: datetime
) -> Outcome:
    """The scheduling tool the meeting was booked in (`by`) canceled it. An undecided or
    accepted handoff whose meeting is still to be held ends `canceled`: no decision, no
    outcome and no chase is asked for any more. A rejected or withdrawn handoff, or one
    whose outcome is logged for good, stays as it is (its story is told)."""
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    if handoff.status in OPEN_STATUSES:
        from_statuses: tuple[Status, ...] = OPEN_STATUSES
    elif handoff.status == Status.ACCEPTED and handoff.outcome not in FINAL_OUTCOMES:
        from_statuses = (Status.ACCEPTED,)
    else:
        return Outcome(handoff, changed=False)
    won = repo.compare_and_set(
        handoff_id,
        from_statuses=from_statuses,
        to_status=Status.CANCELED,
        changes={"updated_at": now, "next_chase_at": None},
    )
    current = repo.get(handoff_id)
    assert current is not None
    if not won:  # decided meanwhile: a later delivery finds it as it is now
        return Outcome(current, changed=False)
    data: dict[str, object] = {"by": by, "was": handoff.status.value}
    if reason:
        data["reason"] = reason[:300]
    repo.record(handoff_id, actor=by[:32], kind="canceled", data=data, now=now)
    return Outcome(current, changed=True)


def no_show_reported(
    repo: OutcomeRepository, handoff_id: int, *, by: str, now: datetime
) -> Outcome:
    """The scheduling tool (`by`) marked the invitee a no-show: the accepted meeting's
    outcome is logged as such, as if its AE had logged it, unless one is logged for good.
    Before an acceptance there is no meeting outcome to log, so nothing changes."""
    handoff = repo.get(handoff_id)
    if handoff is None:
        raise UnknownHandoff(handoff_id)
    if handoff.status != Status.ACCEPTED or handoff.outcome in FINAL_OUTCOMES:
        return Outcome(handoff, changed=False)
    changes: dict[str, object] = {
        "outcome": MeetingOutcome.NO_SHOW.value,
        "outcome_at": now,
        "outcome_by": by[:32],
        "updated_at": now,
        "seconds_to_outcome": seconds_between(handoff.meeting_time, now),
    }
    if not repo.set_outcome(handoff_id, expect_round=handoff.chase_round, changes=changes):
        current = repo.get(handoff_id)
        assert current is not None
        return Outcome(current, changed=False)
    data: dict[str, object] = {"outcome": MeetingOutcome.NO_SHOW.value, "by": by}
    repo.record(handoff_id, actor=by[:32], kind="outcome", data=data, now=now)
    current = repo.get(handoff_id)
    assert current is not None
    return Outcome(current, changed=True)


def reassign_refusal(
    handoff: Handoff, actor: str, to_ae: str, managers: Collection[str]
) -> Refusal | None:
    if actor not in managers:
        return Refusal(RefusalKind.NOT_MANAGER, handoff.status, None)
    if handoff.status == Status.WITHDRAWN:
        return Refusal(RefusalKind.WITHDRAWN, handoff.status, handoff.sdr_id)
    if handoff.status == Status.CANCELED:
        return Refusal(RefusalKind.CANCELED, handoff.status, None)
    if handoff.status == Status.REJECTED:
        return Refusal(RefusalKind.ALREADY_DECIDED, handoff.status, handoff.decided_by)
    if to_ae == handoff.sdr_id:
        return Refusal(RefusalKind.BOOKER_AS_AE, handoff.status, to_ae)
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
    data: dict[str, object] = {"to": to_ae}
    if handoff.ae_id:
        data["from"] = handoff.ae_id
    repo.record(handoff_id, actor=actor, kind="reassigned", data=data, now=now)
    return Outcome(current, changed=True)
