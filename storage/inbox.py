"""The inbox: every delivery a booking tool made, kept before it is answered.

`keep` stores a delivery once (a replay of the same tool and external id changes nothing);
`start` takes one to process under a lock so two processors never apply it twice; `done`
and `failed` record the result. What is left unprocessed is paged by id for the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import InboxRow

# A delivery that failed this often is left for an operator (its error says why): with the
# back-off below that is about 15 hours of trying.
MAX_ATTEMPTS = 10
BATCH = 100
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)


def retry_after(attempts: int) -> timedelta:
    """How long a delivery that failed `attempts` times waits: 1, 2, 4 … minutes, at most 6 h."""
    wait: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, LAST_RETRY)


@dataclass(frozen=True)
class Delivery:
    id: int
    team_id: str
    tool: str
    external_id: str
    body: str
    received_at: datetime
    processed_at: datetime | None
    attempts: int
    error: str | None


def _delivery(row: InboxRow) -> Delivery:
    return Delivery(
        row.id,
        row.team_id,
        row.tool,
        row.external_id,
        row.body,
        row.received_at,
        row.processed_at,
        row.attempts,
        row.error,
    )


class InboxStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def keep(
        self, *, team_id: str, tool: str, external_id: str, body: str, now: datetime
    ) -> int | None:
        """Store a delivery; its id, or None when this delivery was stored before (a replay)."""
        postgres = self._session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        stmt = (
            insert(InboxRow)
            .values(
                team_id=team_id[:32],
                tool=tool,
                external_id=external_id[:300],
                body=body,
                received_at=now,
                attempts=0,
            )
            .on_conflict_do_nothing()
            .returning(InboxRow.id)
        )
        return self._session.execute(stmt).scalar()

    def get(self, delivery_id: int) -> Delivery | None:
        row = self._session.get(InboxRow, delivery_id, populate_existing=True)
        return None if row is None else _delivery(row)

    def start(self, delivery_id: int) -> Delivery | None:
        """The delivery, locked until the unit ends, if it is still to process."""
        row = self._session.get(InboxRow, delivery_id, populate_existing=True, with_for_update=True)
        if row is None or row.processed_at is not None:
            return None
        return _delivery(row)

    def done(self, delivery_id: int, *, now: datetime) -> None:
        self._session.execute(
            update(InboxRow)
            .where(InboxRow.id == delivery_id)
            .values(processed_at=now, error=None, attempts=InboxRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )

    def failed(self, delivery_id: int, *, error: str, now: datetime) -> int:
        """Record a failed try and when to try again; how many tries have failed."""
        row = self._session.get(InboxRow, delivery_id, with_for_update=True)
        if row is None:
            return 0
        row.attempts += 1
        row.error, row.retry_at = error[:200], now + retry_after(row.attempts)
        self._session.flush()
        return row.attempts

    def unprocessed(self, now: datetime, *, after_id: int = 0, limit: int = BATCH) -> list[int]:
        """Deliveries still to process whose back-off is over, oldest first (keyset by id),
        short of MAX_ATTEMPTS."""
        rows = self._session.scalars(
            select(InboxRow.id)
            .where(
                InboxRow.processed_at.is_(None),
                InboxRow.id > after_id,
                InboxRow.attempts < MAX_ATTEMPTS,
                or_(InboxRow.retry_at.is_(None), InboxRow.retry_at <= now),
            )
            .order_by(InboxRow.id)
            .limit(limit)
        )
        return list(rows)
