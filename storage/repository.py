"""The handoff repository: the only place that builds queries for the lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from handoff.model import Event, Handoff, MeetingOutcome, Qualification, Stakeholder, Status
from storage.models import EventRow, HandoffRow, StakeholderRow

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
        rubric_version: str,
        submission_key: str,
        now: datetime,
    ) -> Handoff:
        row = HandoffRow(
            team_id=team_id,
            sdr_id=sdr_id,
            status=Status.SUBMITTED.value,
            submission_key=submission_key,
            rubric_version=rubric_version,
            submitted_at=now,
            updated_at=now,
            brief_version=1,
            brief_synced_version=0,
            **{c: getattr(qualification, c) for c in QUALIFICATION_COLUMNS},
        )
        row.stakeholders = [
            StakeholderRow(position=i, name=s.name, title=s.title, role=s.role)
            for i, s in enumerate(qualification.stakeholders)
        ]
        self.session.add(row)
        self.session.flush()
        return to_handoff(row)

    def get(self, handoff_id: int) -> Handoff | None:
        row = self.session.get(HandoffRow, handoff_id, populate_existing=True)
        return to_handoff(row) if row else None

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
        return result.rowcount == 1  # type: ignore[attr-defined]

    def set_brief(self, handoff_id: int, *, channel: str, ts: str, now: datetime) -> bool:
        result = self.session.execute(
            update(HandoffRow)
            .where(HandoffRow.id == handoff_id, HandoffRow.brief_ts.is_(None))
            .values(brief_channel=channel, brief_ts=ts, posted_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

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
        self.session.flush()

    def events(self, handoff_id: int) -> list[Event]:
        rows = self.session.scalars(
            select(EventRow).where(EventRow.handoff_id == handoff_id).order_by(EventRow.id)
        )
        return [Event(at=r.at, actor=r.actor, kind=r.kind, data=dict(r.data)) for r in rows]

    def recent_for_user(self, team_id: str, user_id: str, limit: int = 10) -> list[Handoff]:
        rows = self.session.scalars(
            select(HandoffRow)
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
        return result.rowcount == 1  # type: ignore[attr-defined]

    def chase_candidates(self, limit: int = 1000) -> list[Handoff]:
        """Handoffs a chase may be due for: undecided briefs and meetings with no outcome."""
        rows = self.session.scalars(
            select(HandoffRow)
            .where(
                or_(
                    and_(
                        HandoffRow.status == Status.PENDING.value,
                        HandoffRow.brief_ts.is_not(None),
                    ),
                    and_(
                        HandoffRow.status == Status.ACCEPTED.value,
                        or_(
                            HandoffRow.outcome.is_(None),
                            HandoffRow.outcome == MeetingOutcome.RESCHEDULED.value,
                        ),
                    ),
                )
            )
            .order_by(HandoffRow.id)
            .limit(limit)
        )
        return [to_handoff(r) for r in rows]

    def unsynced(self, limit: int = 100) -> list[int]:
        """Handoffs whose brief Slack does not show as it is (never posted, or stale)."""
        rows = self.session.scalars(
            select(HandoffRow.id)
            .where(HandoffRow.brief_synced_version < HandoffRow.brief_version)
            .order_by(HandoffRow.id)
            .limit(limit)
        )
        return list(rows)


def to_handoff(row: HandoffRow) -> Handoff:
    qualification = Qualification(
        **{c: getattr(row, c) for c in QUALIFICATION_COLUMNS},
        stakeholders=tuple(
            Stakeholder(name=s.name, title=s.title, role=s.role) for s in row.stakeholders
        ),
    )
    return Handoff(
        id=row.id,
        team_id=row.team_id,
        sdr_id=row.sdr_id,
        status=Status(row.status),
        qualification=qualification,
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
    )
