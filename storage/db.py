"""Engine and the one session scope every listener and job opens for itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
# An execution option: a unit that only reads (see storage/uow.py).
READ_ONLY = "handoff_read_only"


def normalize_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// spellings hosts hand out; use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """The engine for `url`, which never logs bound values. `read_only` is for long reads
    (the export): one consistent snapshot that never blocks the bot's writes (a deferred
    BEGIN on SQLite in WAL mode, REPEATABLE READ READ ONLY on PostgreSQL)."""
    url = normalize_url(url)
    # An error or -v logs the SQL; its bound values (contact emails, pain text) stay out.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_deferred if read_only else _sqlite_begin)
        return engine
    if read_only:
        kwargs.setdefault(
            "execution_options", {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "begin", _postgres_begin)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off so BEGIN IMMEDIATE below is ours.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A writer takes the write lock at BEGIN: a read-then-write transaction can then not
    # fail half-way with "database is locked" when another writer got there first. A
    # read-only unit begins deferred and never waits for writers (WAL).
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Any) -> None:
    # A reader: its snapshot starts at the first read and lasts until the end, while WAL
    # lets writers carry on meanwhile.
    conn.exec_driver_sql("BEGIN")


def _postgres_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit on success, roll back on error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ping(engine: Engine) -> None:
    """Whether the database answers; as a reader, so it never queues behind a writer."""
    with engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        conn.execute(text("SELECT 1"))


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (a compare-and-set won when it is 1)."""
    return cast(CursorResult[Any], result).rowcount
