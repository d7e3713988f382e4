"""Events API deliveries already handled, so a retry of one changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SlackEventRow


class EventLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def first_time(self, team_id: str, event_id: str, *, now: datetime) -> bool:
        """Remember this delivery; False when it was handled before (a retry)."""
        postgres = self._session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        stmt = (
            insert(SlackEventRow)
            .values(team_id=team_id[:32], event_id=event_id[:64], received_at=now)
            .on_conflict_do_nothing()
            .returning(SlackEventRow.id)
        )
        return self._session.execute(stmt).scalar() is not None

    def forget_before(self, cutoff: datetime) -> None:
        self._session.execute(delete(SlackEventRow).where(SlackEventRow.received_at < cutoff))
