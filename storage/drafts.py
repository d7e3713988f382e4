"""Drafts of the qualification wizard, kept between steps and after a modal is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.db import rows_changed
from storage.models import DraftRow

# Older unfinished drafts are not offered for resuming any more.
RESUMABLE_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Draft:
    id: int
    team_id: str
    user_id: str
    handoff_id: int | None
    mode: str  # "new" becomes a handoff on submit; "edit" revises `handoff_id`
    step: int
    rev: int
    answers: dict[str, Any]
    view_id: str | None
    submitted_at: datetime | None
    updated_at: datetime


def _draft(row: DraftRow) -> Draft:
    return Draft(
        row.id,
        row.team_id,
        row.user_id,
        row.handoff_id,
        row.mode,
        row.step,
        row.rev,
        dict(row.answers),
        row.view_id,
        row.submitted_at,
        row.updated_at,
    )


class DraftStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        *,
        team_id: str,
        user_id: str,
        answers: dict[str, Any],
        now: datetime,
        mode: str = "new",
        handoff_id: int | None = None,
    ) -> int:
        row = DraftRow(
            team_id=team_id,
            user_id=user_id,
            answers=answers,
            step=0,
            mode=mode,
            handoff_id=handoff_id,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def get(self, draft_id: int, *, lock: bool = False) -> Draft | None:
        """`lock`: hold the row until the unit ends (FOR UPDATE on PostgreSQL; SQLite's
        writers are one at a time already), so two copies of one submission queue up."""
        row = self._session.get(
            DraftRow, draft_id, populate_existing=True, with_for_update=lock or None
        )
        return None if row is None else _draft(row)

    def set_view(self, draft_id: int, view_id: str) -> None:
        self._session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id)
            .values(view_id=view_id)
            .execution_options(synchronize_session=False)
        )

    def save(self, draft_id: int, *, answers: dict[str, Any], step: int, now: datetime) -> bool:
        """Keep what was typed (the step and rev stay: the modal still shows them); a
        submitted draft is never changed again."""
        result = self._session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id, DraftRow.submitted_at.is_(None))
            .values(answers=answers, step=step, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rows_changed(result) == 1

    def merge(self, draft_id: int, answers: dict[str, Any], *, now: datetime) -> bool:
        """Change some answers of an unfinished draft (its step and rev stay); False when it
        is gone or was sent."""
        row = self._session.get(DraftRow, draft_id, populate_existing=True, with_for_update=True)
        if row is None or row.submitted_at is not None:
            return False
        row.answers, row.updated_at = {**row.answers, **answers}, now
        self._session.flush()
        return True

    def advance(
        self,
        draft_id: int,
        *,
        seen: tuple[int, int],
        answers: dict[str, Any],
        step: int,
        now: datetime,
    ) -> int | None:
        """Move the draft on from the (step, rev) the modal showed: a compare-and-set, so only
        the first copy of a submission or a click moves it. The new rev, or None when the
        draft had moved on already."""
        result = self._session.execute(
            update(DraftRow)
            .where(
                DraftRow.id == draft_id,
                DraftRow.step == seen[0],
                DraftRow.rev == seen[1],
                DraftRow.submitted_at.is_(None),
            )
            .values(answers=answers, step=step, rev=DraftRow.rev + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return seen[1] + 1 if rows_changed(result) == 1 else None

    def mark_submitted(
        self, draft_id: int, *, handoff_id: int, answers: dict[str, Any], now: datetime
    ) -> None:
        self._session.execute(
            update(DraftRow)
            .where(DraftRow.id == draft_id)
            .values(handoff_id=handoff_id, answers=answers, submitted_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def open_for(self, team_id: str, user_id: str, now: datetime) -> list[Draft]:
        """Unfinished drafts the user may resume, newest first."""
        rows = self._session.scalars(
            select(DraftRow)
            .where(
                DraftRow.team_id == team_id,
                DraftRow.user_id == user_id,
                DraftRow.submitted_at.is_(None),
                DraftRow.updated_at >= now - RESUMABLE_FOR,
            )
            .order_by(DraftRow.updated_at.desc(), DraftRow.id.desc())
            .limit(10)
        )
        return [_draft(r) for r in rows]

    def discard(self, draft_id: int, user_id: str) -> bool:
        result = self._session.execute(
            delete(DraftRow).where(
                DraftRow.id == draft_id,
                DraftRow.user_id == user_id,
                DraftRow.submitted_at.is_(None),
            )
        )
        return rows_changed(result) == 1

    def latest(self) -> Draft | None:
        """The most recently created draft (tests and the demo follow the wizard by it)."""
        row = self._session.scalars(select(DraftRow).order_by(DraftRow.id.desc())).first()
        return None if row is None else _draft(row)
