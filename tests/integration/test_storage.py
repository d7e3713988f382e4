"""The repository on a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from handoff import lifecycle
from handoff.model import Status
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import CriterionResultRow, EventRow
from storage.repository import SqlHandoffRepository
from tests.support.qualifications import NOW, qualification, scored


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _submit(sessions, key="draft:1"):
    with session_scope(sessions) as s:
        return lifecycle.submit(
            SqlHandoffRepository(s),
            team_id="T1",
            sdr_id="USDR",
            qualification=qualification(),
            score=scored(),
            submission_key=key,
            now=NOW,
        ).handoff


def test_migrations_create_every_table(database_url):
    engine = make_engine(database_url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"handoffs", "stakeholders", "handoff_events", "drafts", "outbox", "digests"} <= names


def test_migrations_match_the_models(database_url):
    """What `handoff db upgrade` builds is what the code maps: no drift either way."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_score_and_criteria_round_trip(sessions):
    stored = _submit(sessions)
    with session_scope(sessions) as s:
        loaded = SqlHandoffRepository(s).get(stored.id)
    assert loaded.score == scored()
    assert loaded.rubric_version == scored().rubric_version
    assert [r.key for r in loaded.score.results][:2] == ["account_fit", "persona"]


def test_revise_replaces_answers_people_and_criteria(sessions):
    stored = _submit(sessions)
    weaker = qualification(timing="later", stakeholders=(), intent_signals=("demo_request",))
    with session_scope(sessions) as s:
        out = lifecycle.revise(
            SqlHandoffRepository(s),
            stored.id,
            actor="USDR",
            qualification=weaker,
            score=scored(weaker),
            now=NOW + timedelta(minutes=5),
        )
    assert out.changed
    with session_scope(sessions) as s:
        loaded = SqlHandoffRepository(s).get(stored.id)
        criteria = s.scalar(
            select(func.count())
            .select_from(CriterionResultRow)
            .where(CriterionResultRow.handoff_id == stored.id)
        )
    assert loaded.qualification == weaker
    assert loaded.score == scored(weaker)
    assert loaded.edited_at == NOW + timedelta(minutes=5)
    assert loaded.brief_version == 2
    assert criteria == len(scored().results)


def test_round_trip_keeps_aware_utc_times_and_stakeholders(sessions):
    stored = _submit(sessions)
    with session_scope(sessions) as s:
        loaded = SqlHandoffRepository(s).get(stored.id)
    assert loaded.qualification == qualification()
    assert loaded.qualification.meeting_at.tzinfo is not None
    assert loaded.submitted_at == NOW and loaded.submitted_at.utcoffset() == timedelta(0)
    assert loaded.status == Status.SUBMITTED


def test_resubmitting_the_same_draft_stores_one_handoff(sessions):
    first = _submit(sessions)
    second = _submit(sessions)
    assert first.id == second.id


def test_concurrent_accepts_have_exactly_one_winner(sessions):
    h = _submit(sessions)
    barrier = threading.Barrier(6)
    results: list[lifecycle.Outcome] = []

    def click(actor: str) -> None:
        barrier.wait()
        with session_scope(sessions) as s:
            results.append(
                lifecycle.accept(SqlHandoffRepository(s), h.id, actor=actor, is_ae=True, now=NOW)
            )

    threads = [threading.Thread(target=click, args=(f"UAE{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r.changed]
    assert len(results) == 6 and len(winners) == 1
    winner = winners[0].handoff.decided_by
    assert all(r.refusal.by == winner for r in results if not r.changed)
    with session_scope(sessions) as s:
        accepted = s.scalar(select(func.count()).where(EventRow.kind == "accepted"))
    assert accepted == 1


def test_brief_bookkeeping(sessions):
    h = _submit(sessions)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        assert (h.brief_version, h.brief_synced_version) == (1, 0)
        lifecycle.mark_posted(repo, h.id, channel="CAE", ts="1.2", now=NOW)
        repo.mark_brief_synced(h.id, 1)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        lifecycle.accept(repo, h.id, actor="UAE", is_ae=True, now=NOW)
        assert (repo.get(h.id).brief_version, repo.get(h.id).brief_synced_version) == (2, 1)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        repo.mark_brief_synced(h.id, 2)
        repo.mark_brief_synced(h.id, 1)  # a late, older sync does not move it back
        assert repo.get(h.id).brief_synced_version == 2
        assert [e.kind for e in repo.events(h.id)] == ["submitted", "brief_posted", "accepted"]
