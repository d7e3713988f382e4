"""The stored answers of a window's handoffs, for re-scoring them with another rubric.

Unlike the digest's figures this loads rows, because scoring is Python: they come in
batches (`yield_per`) with their stakeholders, and become plain `handoff.replay.Case`s.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handoff.digest import Period
from handoff.replay import Case
from storage.models import HandoffRow
from storage.repository import to_qualification

BATCH = 500


class AnswerStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def submitted_in(self, window: Period) -> Iterator[Case]:
        """Every handoff submitted in the window, oldest first."""
        query = (
            select(HandoffRow)
            .options(selectinload(HandoffRow.stakeholders))
            .where(HandoffRow.submitted_at >= window.start, HandoffRow.submitted_at < window.end)
            .order_by(HandoffRow.submitted_at, HandoffRow.id)
            .execution_options(yield_per=BATCH)
        )
        for row in self._session.scalars(query):
            yield Case(row.id, row.company, to_qualification(row), row.status, row.outcome)
