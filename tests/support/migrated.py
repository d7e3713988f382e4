"""A migrated database for each test, without running every migration for each test.

The migrations run once per session into a template: a SQLite file, copied for each test;
a PostgreSQL schema, whose DDL pg_dump writes out once and each test's schema replays under
its own name. Each test still gets exactly the schema the migrations make (the migration
tests run the real chain, up and down). Without pg_dump, each schema is migrated itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from storage.migrate import head, upgrade

TEMPLATE = "handofftemplate"  # a name found nowhere else in the dump, replaced per test


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def copy_sqlite(template: Path, to: Path) -> str:
    shutil.copyfile(template, to)
    return f"sqlite:///{to}"


def postgres_ddl(admin: Engine, base_url: str) -> str | None:
    """The migrated schema's DDL with TEMPLATE for its name; None without pg_dump."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return None
    schema = f"{TEMPLATE}_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        upgrade(f"{base_url}?options=-csearch_path%3D{schema}")
        dsn = make_url(base_url).set(drivername="postgresql")
        env = {"PATH": os.environ.get("PATH", "/usr/bin")}
        if dsn.password:
            env["PGPASSWORD"] = str(dsn.password)
        dump = subprocess.run(
            [
                pg_dump,
                "--schema-only",
                "--no-owner",
                "--no-privileges",
                "-n",
                schema,
                "--dbname",
                dsn.set(password=None).render_as_string(hide_password=False),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    # psql's meta-commands (a newer pg_dump writes \restrict) are not SQL.
    lines = [line for line in dump.splitlines() if not line.startswith("\\")]
    return "\n".join(lines).replace(schema, TEMPLATE)


def create_postgres_schema(admin: Engine, ddl: str, schema: str) -> None:
    """`schema`, as the template was: its tables, indexes, sequences and Alembic's revision."""
    raw = admin.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(ddl.replace(TEMPLATE, schema))  # one simple query, many statements
            cursor.execute(
                f'INSERT INTO "{schema}".alembic_version (version_num) VALUES (%s)', (head(),)
            )
        raw.commit()
    finally:
        raw.close()
