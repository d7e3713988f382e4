"""Alembic environment: the URL comes from the caller (storage.migrate), never a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # the caller's connection, with the caller's pragmas
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # SQLite alters a table by copying it, dropping the old one and renaming the copy.
            # With foreign keys enforced, that DROP deletes every row referencing the table
            # (ON DELETE CASCADE): people, events, ledger rows. The pragma is ignored inside a
            # transaction, so it is set on the raw connection before Alembic begins one.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Foreign keys were not enforced while migrating: prove none broke, or roll back.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows whose parent is gone: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `handoff db upgrade`")
run_migrations_online()
