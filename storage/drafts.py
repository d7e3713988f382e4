"""Drafts of the qualification wizard, kept between steps and after a modal is closed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.db import rows_changed
from storage.models import DraftRow

# Older unfinished drafts are not offered for resuming any more.
RESUMABLE_FOR = timedelta(days=30)


def create(
    session: Session,
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
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, draft_id: int) -> DraftRow | None:
    return session.get(DraftRow, draft_id, populate_existing=True)


def set_view(session: Session, draft_id: int, view_id: str) -> None:
    session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id)
        .values(view_id=view_id)
        .execution_options(synchronize_session=False)
    )


def save(
    session: Session, draft_id: int, *, answers: dict[str, Any], step: int, now: datetime
) -> bool:
    """Keep what was typed; a submitted draft is never changed again."""
    result = session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id, DraftRow.submitted_at.is_(None))
        .values(answers=answers, step=step, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


def mark_submitted(
    session: Session, draft_id: int, *, handoff_id: int, answers: dict[str, Any], now: datetime
) -> None:
    session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id)
        .values(handoff_id=handoff_id, answers=answers, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def open_for(session: Session, team_id: str, user_id: str, now: datetime) -> list[DraftRow]:
    """Unfinished drafts the user may resume, newest first."""
    return list(
        session.scalars(
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
    )


def discard(session: Session, draft_id: int, user_id: str) -> bool:
    result = session.execute(
        delete(DraftRow).where(
            DraftRow.id == draft_id, DraftRow.user_id == user_id, DraftRow.submitted_at.is_(None)
        )
    )
    return rows_changed(result) == 1
