"""The outbox: side effects written with the change that caused them, claimed to be sent.

Writing: a message is inserted once (`ON CONFLICT DO NOTHING` on its key); a sync is
upserted, which re-arms it (`generation` + 1). Sending: a sender claims a due row with a
compare-and-set on its lease, renders from the database, calls Slack, and records the
result; a sync stays pending when a newer generation arrived while it was being sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from handoff.effects import Effect
from handoff.model import Handoff
from storage.models import OutboxRow

# A claim older than this with nothing recorded is taken to be a sender that died.
LEASE = timedelta(minutes=5)
BATCH = 100
INSERT_ROWS = 200  # rows per INSERT: well inside SQLite's limit on bound values


@dataclass(frozen=True)
class Job:
    """A claimed row: what to send, and what the sender needs to know about earlier tries."""

    id: int
    key: str
    kind: str
    team_id: str
    handoff_id: int | None
    level: int
    recipient: str
    generation: int
    attempts: int  # this one included: above 1, an earlier sender may have reached Slack
    channel: str | None
    ts: str | None
    booking_id: int | None = None
    # The handoff as the sender read it for the rows of its chunk, just before rendering;
    # None: not read (the planner reads it itself), or gone.
    handoff: Handoff | None = field(default=None, compare=False, repr=False)


# What a claim reads back: a Job's fields, by name.
_JOB_COLUMNS = (
    OutboxRow.id,
    OutboxRow.key,
    OutboxRow.kind,
    OutboxRow.team_id,
    OutboxRow.handoff_id,
    OutboxRow.level,
    OutboxRow.recipient,
    OutboxRow.generation,
    OutboxRow.attempts,
    OutboxRow.channel,
    OutboxRow.ts,
    OutboxRow.booking_id,
)


@dataclass(frozen=True)
class Waiting:
    """The outbox as an operator watches it."""

    pending: int  # rows still to send
    failing: int  # of those, rows whose last try failed
    oldest_due: datetime | None  # since when the longest-waiting due row could have been sent


@dataclass(frozen=True)
class Entry:
    """One row as the chase rules and message updates read it."""

    handoff_id: int
    kind: str
    level: int
    sent_at: datetime | None
    channel: str | None
    ts: str | None


class OutboxStore:
    def __init__(self, session: Session) -> None:
        self._session = session
        self.written: list[int] = []  # rows this unit armed, to hand to a sender after commit

    def add(self, effects: Iterable[Effect], *, now: datetime) -> list[int]:
        """Write each effect; the ids of the rows now pending because of this call, in the
        order of `effects` (the order they are to be sent in)."""
        effects = list(effects)
        self.lock(effects=effects)
        # New rows in key order: two writers inserting the same keys queue on the first one.
        # Messages first, in one statement (a sweep arms hundreds), then the syncs.
        order = sorted(range(len(effects)), key=lambda n: effects[n].key)
        inserted = self._insert([effects[n] for n in order if not effects[n].sync], now)
        written: dict[int, int | None] = {}
        for n in order:
            effect = effects[n]
            written[n] = (
                self._upsert(effect, now) if effect.sync else inserted.pop(effect.key, None)
            )
        ids = [row_id for n in range(len(effects)) if (row_id := written[n]) is not None]
        self.written += ids
        return ids

    def lock(self, *, ids: Iterable[int] = (), effects: Iterable[Effect] = ()) -> None:
        """Lock these rows (and the stored rows that re-arming `effects` would update) in id
        order, before anything else touches them.

        Every writer takes outbox rows in id order, after the handoff rows it needs: a
        click's transaction, a sender's claims and its recording. On PostgreSQL two writers
        then queue behind each other instead of each holding a row the other waits for (a
        deadlock, which aborts one of them). SQLite runs one writer at a time."""
        ids = list(ids)
        keys = [e.key for e in effects if e.sync]
        if not (ids or keys) or not self._postgres:
            return
        self._session.execute(
            select(OutboxRow.id)
            .where(or_(OutboxRow.id.in_(ids), OutboxRow.key.in_(keys)))
            .order_by(OutboxRow.id)
            .with_for_update()
        )

    def _values(self, effect: Effect, now: datetime) -> dict[str, object]:
        return {
            "team_id": effect.team_id,
            "key": effect.key,
            "kind": effect.kind.value,
            "handoff_id": effect.handoff_id,
            "booking_id": effect.booking_id,
            "level": effect.level,
            "recipient": effect.recipient[:32],
            "pending": True,
            "generation": 1,
            "available_at": now,
            "attempts": 0,
            "created_at": now,
        }

    def _insert(self, effects: list[Effect], now: datetime) -> dict[str, int]:
        """Insert what is new, `INSERT_ROWS` to a statement; the new rows' ids by key."""
        unique = list({e.key: e for e in effects}.values())  # a key twice is one row
        ids: dict[str, int] = {}
        for start in range(0, len(unique), INSERT_ROWS):
            rows = [self._values(e, now) for e in unique[start : start + INSERT_ROWS]]
            stmt = (
                self._dialect_insert().values(rows).on_conflict_do_nothing(index_elements=["key"])
            )
            ids.update(
                (key, row_id)
                for row_id, key in self._session.execute(
                    stmt.returning(OutboxRow.id, OutboxRow.key)
                )
            )
        return ids

    def _upsert(self, effect: Effect, now: datetime) -> int | None:
        stmt = self._dialect_insert().values(self._values(effect, now))
        rearmed = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"pending": True, "generation": OutboxRow.generation + 1, "available_at": now},
        )
        return self._session.execute(rearmed.returning(OutboxRow.id)).scalar()

    @property
    def _postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def _dialect_insert(self) -> postgresql.Insert | sqlite.Insert:
        return postgresql.insert(OutboxRow) if self._postgres else sqlite.insert(OutboxRow)

    def claim(
        self, row_ids: Sequence[int], *, now: datetime, lease: timedelta = LEASE
    ) -> list[Job]:
        """The right to send these rows now, in the order given; a row that is not due or
        that someone else holds is left out. One statement for the lot (a sweep claims
        thousands), after locking them in id order on PostgreSQL as every writer does."""
        if not row_ids:
            return []
        self.lock(ids=row_ids)
        claimed = self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(list(row_ids)),
                OutboxRow.pending.is_(True),
                OutboxRow.available_at <= now,
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until <= now),
            )
            .values(lease_until=now + lease, attempts=OutboxRow.attempts + 1)
            .returning(*_JOB_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        jobs = {row.id: Job(**row._asdict()) for row in claimed}
        return [jobs[row_id] for row_id in row_ids if row_id in jobs]

    def done(
        self, job: Job, *, now: datetime, channel: str | None = None, ts: str | None = None
    ) -> bool:
        """Record a delivery; False when a newer generation came meanwhile (still pending)."""
        values: dict[str, object] = {
            "pending": OutboxRow.generation != job.generation,
            "lease_until": None,
            "sent_at": func.coalesce(OutboxRow.sent_at, now),
            "last_error": None,
            "attempts": 0,  # counts failed tries in a row: the back-off starts over
        }
        if channel and ts:
            values.update(channel=channel, ts=ts)
        generation = self._session.scalar(
            update(OutboxRow)
            .where(OutboxRow.id == job.id)
            .values(values)
            .returning(OutboxRow.generation)
            .execution_options(synchronize_session=False)
        )
        return generation == job.generation

    def nothing_to_send(self, job: Job, *, now: datetime) -> None:
        """The row has nothing to say any more (its handoff moved on): close it unsent."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == job.id, OutboxRow.generation == job.generation)
            .values(pending=False, lease_until=None)
            .execution_options(synchronize_session=False)
        )

    def later(self, job: Job, *, now: datetime, after: timedelta) -> None:
        """Not yet (nothing failed): release it untouched, to try again after `after`."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == job.id)
            .values(lease_until=None, available_at=now + after, attempts=OutboxRow.attempts - 1)
            .execution_options(synchronize_session=False)
        )

    def retry(self, job: Job, *, now: datetime, error: str, after: timedelta) -> None:
        """Not sent: release the lease and try again no sooner than `after` from now."""
        self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == job.id)
            .values(lease_until=None, available_at=now + after, last_error=error[:200])
            .execution_options(synchronize_session=False)
        )

    def due(self, *, now: datetime, after_id: int = 0, limit: int = BATCH) -> list[int]:
        """Rows to send now, by id after `after_id` (keyset: a page never repeats a row)."""
        rows = self._session.scalars(
            select(OutboxRow.id)
            .where(
                OutboxRow.pending.is_(True),
                OutboxRow.available_at <= now,
                OutboxRow.id > after_id,
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until <= now),
            )
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return list(rows)

    def entries(self, handoff_ids: Sequence[int], kinds: Sequence[str]) -> list[Entry]:
        """What was armed or sent for these handoffs (the chase rules read it)."""
        if not handoff_ids:
            return []
        rows = self._session.execute(
            select(
                OutboxRow.handoff_id,
                OutboxRow.kind,
                OutboxRow.level,
                OutboxRow.sent_at,
                OutboxRow.channel,
                OutboxRow.ts,
            ).where(and_(OutboxRow.handoff_id.in_(handoff_ids), OutboxRow.kind.in_(list(kinds))))
        )
        return [Entry(h, k, lvl, sent, ch, ts) for h, k, lvl, sent, ch, ts in rows if h is not None]

    def being_sent(self, handoff_id: int, kind: str, *, now: datetime) -> bool:
        """Whether a sender holds a row of `kind` for this handoff, not yet recorded."""
        return bool(
            self._session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(
                    OutboxRow.handoff_id == handoff_id,
                    OutboxRow.kind == kind,
                    OutboxRow.ts.is_(None),
                    OutboxRow.lease_until > now,
                )
            )
        )

    def failing(self, handoff_id: int) -> list[tuple[str, int, str]]:
        """What is still unsent for this handoff after failed tries: (kind, tries, error)."""
        rows = self._session.execute(
            select(OutboxRow.kind, OutboxRow.attempts, OutboxRow.last_error)
            .where(
                OutboxRow.handoff_id == handoff_id,
                OutboxRow.pending.is_(True),
                OutboxRow.last_error.is_not(None),
            )
            .order_by(OutboxRow.id)
        )
        return [(kind, tries, error or "") for kind, tries, error in rows]

    def backlog(self, *, now: datetime) -> tuple[int, datetime | None]:
        """How many rows are still to send, and since when the oldest has waited."""
        count, oldest = self._session.execute(
            select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.pending.is_(True))
        ).one()
        return int(count), oldest

    def waiting(self, *, now: datetime) -> Waiting:
        """One aggregate over the pending rows (few, and in the partial index). A row backing
        off after a failure is not due yet: it counts from when it is due again, so a late
        row means no sender is keeping up rather than one message Slack keeps refusing."""
        due = case((OutboxRow.available_at <= now, OutboxRow.available_at))
        failed = case((OutboxRow.last_error.is_not(None), 1), else_=0)
        count, failing, oldest = self._session.execute(
            select(func.count(), func.coalesce(func.sum(failed), 0), func.min(due)).where(
                OutboxRow.pending.is_(True)
            )
        ).one()
        return Waiting(int(count), int(failing), _aware(oldest))


def _aware(at: datetime | None) -> datetime | None:
    """SQLite hands back an aggregate's datetime as text, or naive: read it as UTC."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
