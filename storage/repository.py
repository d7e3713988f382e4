"""The handoff repository: the only place that builds queries for the lifecycle."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, and_, case, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from handoff.model import (
    OPEN_STATUSES,
    CriterionResult,
    Event,
    Handoff,
    MeetingOutcome,
    Qualification,
    Score,
    Stakeholder,
    Status,
)
from storage.db import rows_changed
from storage.models import CriterionResultRow, EventRow, HandoffRow, StakeholderRow

QUALIFICATION_COLUMNS = (
    "company",
    "meeting_at",
    "industry",
    "company_size",
    "region",
    "contact_name",
    "contact_title",
    "contact_role",
    "pain",
    "timing",
    "budget_status",
    "next_steps",
    "source",
    "notes",
    "contact_email",
    "website",
    "current_solution",
    "trigger",
    "next_steps_status",
    "suggested_ae_id",
)


# An undecided, posted brief, or an accepted meeting whose outcome is not known yet
# (handoff.chasing.chaseable, in SQL).
CHASEABLE = or_(
    and_(HandoffRow.status == Status.PENDING.value, HandoffRow.brief_ts.is_not(None)),
    and_(
        HandoffRow.status == Status.ACCEPTED.value,
        or_(
            HandoffRow.outcome.is_(None),
            HandoffRow.outcome == MeetingOutcome.RESCHEDULED.value,
        ),
    ),
)


class SqlHandoffRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        team_id: str,
        sdr_id: str,
        qualification: Qualification,
        score: Score,
        submission_key: str,
        now: datetime,
    ) -> Handoff | None:
        """The new handoff; None when another copy of the same submission stored it first."""
        row = HandoffRow(
            team_id=team_id,
            sdr_id=sdr_id,
            status=Status.SUBMITTED.value,
            submission_key=submission_key,
            submitted_at=now,
            updated_at=now,
            brief_version=1,
            brief_synced_version=0,
        )
        _fill(row, qualification, score)
        try:
            with self.session.begin_nested():  # a savepoint: the rest of the unit survives
                self.session.add(row)
                self.session.flush()
        except IntegrityError as exc:
            if "submission_key" not in str(exc.orig):  # only the unique key says "stored"
                raise
            return None
        return to_handoff(row)

    def revise(
        self, handoff_id: int, *, qualification: Qualification, score: Score, now: datetime
    ) -> bool:
        """Replace the answers and score of a still-undecided handoff (compare-and-set)."""
        row = self.session.scalar(
            select(HandoffRow)
            .where(
                HandoffRow.id == handoff_id,
                HandoffRow.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .with_for_update()
        )
        if row is None:
            return False
        # Children go first so the unique (handoff, position) keys are free again.
        row.stakeholders.clear()
        row.criteria.clear()
        self.session.flush()
        _fill(row, qualification, score)
        row.edited_at = now
        row.updated_at = now
        row.brief_version = row.brief_version + 1
        self.session.flush()
        return True

    def get(self, handoff_id: int) -> Handoff | None:
        row = self.session.get(HandoffRow, handoff_id, populate_existing=True)
        return to_handoff(row) if row else None

    def get_many(self, handoff_ids: Iterable[int]) -> dict[int, Handoff]:
        """These handoffs by id, in three queries whatever their number."""
        rows = self.session.scalars(_whole().where(HandoffRow.id.in_(list(handoff_ids))))
        return {row.id: to_handoff(row) for row in rows}

    def get_by_submission_key(self, key: str) -> Handoff | None:
        row = self.session.scalar(select(HandoffRow).where(HandoffRow.submission_key == key))
        return to_handoff(row) if row else None

    def compare_and_set(
        self,
        handoff_id: int,
        *,
        from_statuses: Sequence[Status],
        to_status: Status,
        changes: dict[str, object],
        bump_brief: bool = True,
    ) -> bool:
        values: dict[str, object] = {"status": to_status.value, **changes}
        if bump_brief:
            values["brief_version"] = HandoffRow.brief_version + 1
        result = self.session.execute(
            update(HandoffRow)
            .where(
                HandoffRow.id == handoff_id,
                HandoffRow.status.in_([s.value for s in from_statuses]),
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result) == 1

    def set_brief(self, handoff_id: int, *, channel: str, ts: str, now: datetime) -> bool:
        result = self.session.execute(
            update(HandoffRow)
            .where(HandoffRow.id == handoff_id, HandoffRow.brief_ts.is_(None))
            .values(brief_channel=channel, brief_ts=ts, posted_at=now)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result) == 1

    def mark_brief_synced(self, handoff_id: int, version: int) -> None:
        """Record that Slack shows `version`; never move the marker backwards."""
        self.session.execute(
            update(HandoffRow)
            .where(HandoffRow.id == handoff_id, HandoffRow.brief_synced_version < version)
            .values(brief_synced_version=version)
            .execution_options(synchronize_session=False)
        )

    def record(
        self, handoff_id: int, *, actor: str, kind: str, data: dict[str, object], now: datetime
    ) -> None:
        self.session.add(EventRow(handoff_id=handoff_id, at=now, actor=actor, kind=kind, data=data))
        # Every change may change what is to chase: the next sweep looks at it again.
        self.recheck_chases(handoff_id, now)

    def recheck_chases(self, handoff_id: int, now: datetime) -> None:
        """Ask the next sweep to time this handoff's chases (none once nothing is left)."""
        self.session.execute(
            update(HandoffRow)
            .where(HandoffRow.id == handoff_id)
            .values(next_chase_at=case((CHASEABLE, now), else_=None))
            .execution_options(synchronize_session=False)
        )

    def set_next_chases(self, times: dict[int, datetime | None]) -> None:
        """When each handoff's next chase is due (None: none is), in id order."""
        if times:
            self.session.execute(
                update(HandoffRow),
                [{"id": hid, "next_chase_at": at} for hid, at in sorted(times.items())],
            )

    def due_for_chase(
        self, now: datetime, *, after: tuple[datetime, int] | None = None, limit: int = 500
    ) -> list[Handoff]:
        """Handoffs whose chases must be timed now, by (due time, id) after `after`: a page
        never repeats one, and how many are stored beyond them costs nothing."""
        key = tuple_(HandoffRow.next_chase_at, HandoffRow.id)
        query = _whole().where(HandoffRow.next_chase_at <= now)
        if after is not None:
            query = query.where(key > tuple_(*after))
        rows = self.session.scalars(
            query.order_by(HandoffRow.next_chase_at, HandoffRow.id).limit(limit)
        )
        return [to_handoff(r) for r in rows]
        self.session.flush()

    def count_events(self, handoff_id: int, kind: str) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(EventRow)
                .where(EventRow.handoff_id == handoff_id, EventRow.kind == kind)
            )
            or 0
        )

    def events(self, handoff_id: int) -> list[Event]:
        rows = self.session.scalars(
            select(EventRow).where(EventRow.handoff_id == handoff_id).order_by(EventRow.id)
        )
        return [Event(at=r.at, actor=r.actor, kind=r.kind, data=dict(r.data)) for r in rows]

    def recent_for_user(self, team_id: str, user_id: str, limit: int = 10) -> list[Handoff]:
        rows = self.session.scalars(
            _whole()
            .where(HandoffRow.team_id == team_id, HandoffRow.sdr_id == user_id)
            .order_by(HandoffRow.submitted_at.desc(), HandoffRow.id.desc())
            .limit(limit)
        )
        return [to_handoff(r) for r in rows]

    def set_outcome(
        self, handoff_id: int, *, expect_round: int, changes: dict[str, object]
    ) -> bool:
        """Compare-and-set on an accepted meeting whose outcome is still open in this round."""
        result = self.session.execute(
            update(HandoffRow)
            .where(
                HandoffRow.id == handoff_id,
                HandoffRow.status == Status.ACCEPTED.value,
                HandoffRow.chase_round == expect_round,
                or_(
                    HandoffRow.outcome.is_(None),
                    HandoffRow.outcome == MeetingOutcome.RESCHEDULED.value,
                ),
            )
            .values({**changes, "brief_version": HandoffRow.brief_version + 1})
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result) == 1

    def set_dispute(
        self,
        handoff_id: int,
        *,
        expect: str | None,
        to_status: Status,
        changes: dict[str, object],
    ) -> bool:
        """Compare-and-set on a rejected handoff whose dispute is in state `expect`
        (None: never disputed): a second dispute or a second verdict changes nothing."""
        dispute = (
            HandoffRow.dispute_status.is_(None)
            if expect is None
            else HandoffRow.dispute_status == expect
        )
        result = self.session.execute(
            update(HandoffRow)
            .where(
                HandoffRow.id == handoff_id,
                HandoffRow.status == Status.REJECTED.value,
                dispute,
            )
            .values(
                {
                    "status": to_status.value,
                    **changes,
                    "brief_version": HandoffRow.brief_version + 1,
                }
            )
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result) == 1

    # -- App Home ---------------------------------------------------------------------------------

    def count_for_user(self, team_id: str, user_id: str) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(HandoffRow)
                .where(HandoffRow.team_id == team_id, HandoffRow.sdr_id == user_id)
            )
            or 0
        )

    def count_by_status(self) -> dict[str, int]:
        """How many handoffs are in each status, all workspaces (one GROUP BY: the metrics
        scrape reads it, and the status index answers it without the rows)."""
        rows = self.session.execute(
            select(HandoffRow.status, func.count()).group_by(HandoffRow.status)
        )
        return {str(status): int(count) for status, count in rows}

    def waiting_for_ae(self, team_id: str, viewer: str, limit: int) -> tuple[list[Handoff], int]:
        """Posted briefs nobody decided yet that `viewer` did not book, soonest meeting
        first, and how many there are in all."""
        where = (
            HandoffRow.status == Status.PENDING.value,
            HandoffRow.team_id == team_id,
            HandoffRow.sdr_id != viewer,
        )
        rows = self.session.scalars(
            _whole().where(*where).order_by(HandoffRow.meeting_at, HandoffRow.id).limit(limit)
        )
        total = self.session.scalar(select(func.count()).select_from(HandoffRow).where(*where))
        return [to_handoff(r) for r in rows], int(total or 0)

    def owned_open_meetings(
        self, team_id: str, ae_id: str, limit: int, *, now: datetime, due: bool
    ) -> tuple[list[Handoff], int]:
        """Accepted meetings `ae_id` owns whose outcome is not logged yet (unknown, or
        rescheduled): those held by `now` when `due`, else those still to come; soonest
        first, and how many there are in all."""
        meeting = func.coalesce(HandoffRow.rescheduled_to, HandoffRow.meeting_at)
        owner = or_(
            HandoffRow.reassigned_ae_id == ae_id,
            and_(HandoffRow.reassigned_ae_id.is_(None), HandoffRow.decided_by == ae_id),
        )
        where = (
            HandoffRow.status == Status.ACCEPTED.value,
            HandoffRow.team_id == team_id,
            or_(
                HandoffRow.outcome.is_(None),
                HandoffRow.outcome == MeetingOutcome.RESCHEDULED.value,
            ),
            owner,
            meeting <= now if due else meeting > now,
        )
        rows = self.session.scalars(
            _whole().where(*where).order_by(meeting, HandoffRow.id).limit(limit)
        )
        total = self.session.scalar(select(func.count()).select_from(HandoffRow).where(*where))
        return [to_handoff(r) for r in rows], int(total or 0)


def _whole() -> Select[HandoffRow]:
    """Handoffs with their people and criterion results, loaded in two more queries for
    the whole list (not two per handoff)."""
    return select(HandoffRow).options(
        selectinload(HandoffRow.stakeholders), selectinload(HandoffRow.criteria)
    )


def _fill(row: HandoffRow, q: Qualification, score: Score) -> None:
    for column in QUALIFICATION_COLUMNS:
        setattr(row, column, getattr(q, column))
    row.intent_signals = list(q.intent_signals)
    row.fit_answers = dict(q.fit_answers)
    row.stakeholders = [
        StakeholderRow(position=i, name=s.name, title=s.title, role=s.role)
        for i, s in enumerate(q.stakeholders)
    ]
    row.rubric_version = score.rubric_version
    row.score = score.points
    row.clears_bar = score.clears_bar
    row.criteria = [
        CriterionResultRow(
            criterion=r.key, met=r.met, weight=r.weight, must_meet=r.must_meet, reason=r.reason
        )
        for r in score.results
    ]


def _score(row: HandoffRow) -> Score | None:
    if row.score is None:
        return None
    results = tuple(
        CriterionResult(c.criterion, c.met, c.weight, c.reason, must_meet=c.must_meet)
        for c in row.criteria
    )
    missing = tuple(c.key for c in results if c.must_meet and not c.met)
    intent = next((c for c in results if c.key == "intent"), None)
    return Score(
        points=row.score,
        results=results,
        clears_bar=bool(row.clears_bar),
        missing=missing,
        rubric_version=row.rubric_version,
        high_intent=bool(intent and intent.met),
    )


def to_qualification(row: HandoffRow) -> Qualification:
    return Qualification(
        **{c: getattr(row, c) for c in QUALIFICATION_COLUMNS},
        stakeholders=tuple(
            Stakeholder(name=s.name, title=s.title, role=s.role) for s in row.stakeholders
        ),
        intent_signals=tuple(row.intent_signals or ()),
        fit_answers=dict(row.fit_answers or {}),
    )


def to_handoff(row: HandoffRow) -> Handoff:
    return Handoff(
        id=row.id,
        team_id=row.team_id,
        sdr_id=row.sdr_id,
        status=Status(row.status),
        qualification=to_qualification(row),
        rubric_version=row.rubric_version,
        submitted_at=row.submitted_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        rejection_reason=row.rejection_reason,
        rejection_comment=row.rejection_comment,
        brief_channel=row.brief_channel,
        brief_ts=row.brief_ts,
        brief_version=row.brief_version,
        brief_synced_version=row.brief_synced_version,
        score=_score(row),
        edited_at=row.edited_at,
        suggested_ae_id=row.suggested_ae_id,
        posted_at=row.posted_at,
        outcome=row.outcome,
        outcome_at=row.outcome_at,
        outcome_by=row.outcome_by,
        rescheduled_to=row.rescheduled_to,
        chase_round=row.chase_round,
        seconds_to_decision=row.seconds_to_decision,
        seconds_to_outcome=row.seconds_to_outcome,
        reassigned_ae_id=row.reassigned_ae_id,
        reassigned_by=row.reassigned_by,
        reassigned_at=row.reassigned_at,
        dispute_status=row.dispute_status,
        dispute_case=row.dispute_case,
        disputed_at=row.disputed_at,
        dispute_resolved_at=row.dispute_resolved_at,
        dispute_resolved_by=row.dispute_resolved_by,
        next_chase_at=row.next_chase_at,
    )
