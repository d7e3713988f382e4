"""The migrations and the models describe the same schema, and the chain goes both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.db import make_engine
from storage.migrate import current, downgrade_to, upgrade
from storage.models import Base


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_models_match_the_migrated_schema(database_url):
    assert _differences(database_url) == []


def test_downgrade_and_upgrade_again(database_url):
    head = current(database_url)
    downgrade_to(database_url, "0001")
    assert current(database_url) == "0001"
    upgrade(database_url)
    assert current(database_url) == head
    assert _differences(database_url) == []
