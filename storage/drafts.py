"""Drafts of the qualification form, kept between steps and after a modal is closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import DraftRow


def create(
    session: Session, *, team_id: str, user_id: str, answers: dict[str, Any], now: datetime
) -> int:
    row = DraftRow(
        team_id=team_id, user_id=user_id, answers=answers, step=0, created_at=now, updated_at=now
    )
    session.add(row)
    session.flush()
    return row.id


def get(session: Session, draft_id: int) -> DraftRow | None:
    return session.get(DraftRow, draft_id)


def set_view(session: Session, draft_id: int, view_id: str) -> None:
    session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id)
        .values(view_id=view_id)
        .execution_options(synchronize_session=False)
    )


def mark_submitted(
    session: Session, draft_id: int, *, handoff_id: int, answers: dict[str, Any], now: datetime
) -> None:
    session.execute(
        update(DraftRow)
        .where(DraftRow.id == draft_id)
        .values(handoff_id=handoff_id, answers=answers, submitted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
