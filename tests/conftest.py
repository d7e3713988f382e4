"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every storage test;
and the Hypothesis profiles every property test runs under."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from handoff.config import Config, load_config
from storage.migrate import upgrade
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


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A freshly migrated database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'handoff.db'}"
        upgrade(url)
        yield url
        return
    require_postgres()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def config() -> Config:
    return load_config()
