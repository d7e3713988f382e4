"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every storage test;
and the Hypothesis profiles every property test runs under."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from handoff.config import Config, load_config
from storage.migrate import upgrade
from tests.support import migrated
from tests.support.postgres import POSTGRES_URL, require_postgres

# Property tests take their example count from the profile, never from their own settings:
# "dev" keeps a local run quick; "ci" (CI=true) gives each of the suite's 15 property tests
# 700 examples, over 10,000 a run (docs/testing.md has the count and what it costs).
# No deadline: on a shared machine a single example is slow at random.
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=700, deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def _postgres_ddl() -> Iterator[str | None]:
    require_postgres()
    admin = create_engine(POSTGRES_URL)
    try:
        yield migrated.postgres_ddl(admin, POSTGRES_URL)
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A freshly migrated database: a SQLite file, or a PostgreSQL schema of its own
    (copied from one migrated per session: tests/support/migrated.py)."""
    if request.param == "sqlite":
        template = request.getfixturevalue("_sqlite_template")
        yield migrated.copy_sqlite(template, tmp_path / "handoff.db")
        return
    require_postgres()
    ddl = request.getfixturevalue("_postgres_ddl")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(POSTGRES_URL)
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        if ddl is None:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            upgrade(url)
        else:
            migrated.create_postgres_schema(admin, ddl, schema)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def config() -> Config:
    return load_config()
