"""One sweep at a time across processes: a PostgreSQL advisory lock, or a lease row on SQLite.

The ledger already makes a second sweep harmless; this keeps it from doing the
work twice (and from pacing two streams of messages into one channel).
"""

from __future__ import annotations

import os
import socket
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.dialects import sqlite

from storage.db import make_session_factory, rows_changed, session_scope
from storage.models import LeaseRow

# A sweep that paces hundreds of messages can take minutes; a crashed holder's
# lease runs out after this, on SQLite (PostgreSQL frees the lock with the connection).
LEASE = timedelta(minutes=15)


def holder_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lock_key(name: str, schema: str = "public") -> int:
    """A stable 32-bit key for pg_try_advisory_lock, from the lock's name and the schema
    the tables are in: advisory locks are database-wide, and two installations in two
    schemas of one database must not wait on each other's sweeps."""
    return zlib.crc32(f"handoff:{schema}:{name}".encode())


@contextmanager
def leadership(
    engine: Engine, name: str, *, holder: str | None = None, now: datetime | None = None
) -> Iterator[bool]:
    """Yields True when this process may run the sweep `name`, False when another one is."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name) as held:
            yield held
        return
    with _lease(engine, name, holder or holder_name(), now) as held:
        yield held


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[bool]:
    with engine.connect() as conn:
        key = lock_key(name, str(conn.execute(text("SELECT current_schema()")).scalar()))
        held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


@contextmanager
def _lease(engine: Engine, name: str, holder: str, now: datetime | None) -> Iterator[bool]:
    sessions = make_session_factory(engine)
    at = now or datetime.now(UTC)
    with session_scope(sessions) as session:
        session.execute(
            sqlite.insert(LeaseRow)
            .values(name=name, holder=holder, expires_at=at + LEASE)
            .on_conflict_do_nothing()
        )
        taken = session.execute(
            update(LeaseRow)
            .where(
                LeaseRow.name == name,
                (LeaseRow.holder == holder) | (LeaseRow.expires_at <= at),
            )
            .values(holder=holder, expires_at=at + LEASE)
            .execution_options(synchronize_session=False)
        )
        held = rows_changed(taken) == 1
    try:
        yield held
    finally:
        if held:
            with session_scope(sessions) as session:
                session.execute(
                    delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder)
                )


def current_holder(engine: Engine, name: str) -> str | None:
    with session_scope(make_session_factory(engine)) as session:
        return session.scalar(select(LeaseRow.holder).where(LeaseRow.name == name))
