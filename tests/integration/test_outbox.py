"""The outbox on a real database: written once, claimed once, re-armed, paged by key."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from handoff import lifecycle
from handoff.effects import Effect, home
from handoff.model import MessageKind
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import OutboxRow
from storage.outbox import LEASE, Job, OutboxStore
from storage.repository import SqlHandoffRepository
from tests.support.qualifications import NOW, qualification, scored


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _claim(store: OutboxStore, row: int, *, now: datetime) -> Job | None:
    jobs = store.claim([row], now=now)
    return jobs[0] if jobs else None


def _handoff(sessions, key: str = "draft:1") -> int:
    with session_scope(sessions) as s:
        return lifecycle.submit(
            SqlHandoffRepository(s),
            team_id="T1",
            sdr_id="USDR",
            qualification=qualification(),
            score=scored(),
            submission_key=key,
            now=NOW,
        ).handoff.id


def _add(sessions, *effects: Effect, now=NOW) -> list[int]:
    with session_scope(sessions) as s:
        return OutboxStore(s).add(effects, now=now)


def test_a_message_is_written_once_whatever_repeats_it(sessions):
    h = _handoff(sessions)
    dm = Effect(MessageKind.DECISION_DM, "T1", h)
    [first] = _add(sessions, dm)
    assert _add(sessions, dm) == []  # a retry, a second click: nothing new
    with session_scope(sessions) as s:
        assert s.scalar(select(func.count()).select_from(OutboxRow)) == 1
        assert s.get(OutboxRow, first).key == f"decision_dm:{h}:0"


def test_a_sync_is_rearmed_and_stays_pending_until_its_latest_generation_is_sent(sessions):
    h = _handoff(sessions)
    brief = Effect(MessageKind.BRIEF, "T1", h)
    [row] = _add(sessions, brief)
    with session_scope(sessions) as s:
        job = _claim(OutboxStore(s), row, now=NOW)
    assert job is not None and job.generation == 1
    assert _add(sessions, brief) == [row]  # changed again while being sent
    with session_scope(sessions) as s:
        assert OutboxStore(s).done(job, now=NOW) is False  # still behind: stays pending
        assert s.get(OutboxRow, row).pending
    with session_scope(sessions) as s:
        again = _claim(OutboxStore(s), row, now=NOW)
        assert again is not None and again.generation == 2
        assert OutboxStore(s).done(again, now=NOW)
        assert not s.get(OutboxRow, row).pending


def test_only_one_of_many_senders_claims_a_row(sessions):
    h = _handoff(sessions)
    [row] = _add(sessions, Effect(MessageKind.DECISION_DM, "T1", h))
    barrier = threading.Barrier(5)
    jobs = []

    def claim() -> None:
        barrier.wait()
        with session_scope(sessions) as s:
            jobs.append(_claim(OutboxStore(s), row, now=NOW))

    threads = [threading.Thread(target=claim) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([j for j in jobs if j is not None]) == 1


def test_a_lease_that_ran_out_is_taken_over_and_says_an_earlier_try_may_have_landed(sessions):
    h = _handoff(sessions)
    [row] = _add(sessions, Effect(MessageKind.DECISION_DM, "T1", h))
    with session_scope(sessions) as s:
        assert _claim(OutboxStore(s), row, now=NOW).attempts == 1
    with session_scope(sessions) as s:
        assert _claim(OutboxStore(s), row, now=NOW + timedelta(minutes=1)) is None
        assert OutboxStore(s).due(now=NOW + timedelta(minutes=1)) == []
    later = NOW + LEASE + timedelta(seconds=1)
    with session_scope(sessions) as s:
        assert OutboxStore(s).due(now=later) == [row]
        taken = _claim(OutboxStore(s), row, now=later)
    assert taken is not None and taken.attempts == 2
    with session_scope(sessions) as s:
        OutboxStore(s).done(taken, now=later, channel="D1", ts="1.1")
    with session_scope(sessions) as s:
        assert _claim(OutboxStore(s), row, now=later + timedelta(days=1)) is None
        sent = s.get(OutboxRow, row)
        assert (sent.channel, sent.ts, sent.pending, sent.attempts) == ("D1", "1.1", False, 0)


def test_a_failed_send_backs_off_and_a_later_one_does_not_count_as_a_failure(sessions):
    h = _handoff(sessions)
    [row] = _add(sessions, Effect(MessageKind.OUTCOME_THREAD, "T1", h, 1))
    with session_scope(sessions) as s:
        job = _claim(OutboxStore(s), row, now=NOW)
        OutboxStore(s).retry(job, now=NOW, error="ratelimited", after=timedelta(minutes=2))
    with session_scope(sessions) as s:
        assert OutboxStore(s).due(now=NOW + timedelta(minutes=1)) == []
        assert OutboxStore(s).due(now=NOW + timedelta(minutes=2)) == [row]
        job = _claim(OutboxStore(s), row, now=NOW + timedelta(minutes=2))
        OutboxStore(s).later(job, now=NOW, after=timedelta(minutes=1))
    with session_scope(sessions) as s:
        found = s.get(OutboxRow, row)
        assert (found.attempts, found.last_error) == (1, "ratelimited")


def test_due_rows_are_paged_by_id_never_twice(sessions):
    rows = _add(sessions, *(home("T1", f"U{n:03}") for n in range(7)))
    pages, after = [], 0
    while True:
        with session_scope(sessions) as s:
            page = OutboxStore(s).due(now=NOW, after_id=after, limit=3)
        if not page:
            break
        pages.append(page)
        after = page[-1]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [r for p in pages for r in p] == rows


def test_backlog_counts_what_waits(sessions):
    h = _handoff(sessions)
    _add(sessions, Effect(MessageKind.BRIEF, "T1", h), home("T1", "USDR"))
    with session_scope(sessions) as s:
        count, oldest = OutboxStore(s).backlog(now=NOW)
    assert count == 2 and oldest == NOW


def test_waiting_counts_what_is_due_and_what_keeps_failing(sessions):
    h = _handoff(sessions)
    with session_scope(sessions) as s:
        empty = OutboxStore(s).waiting(now=NOW)
    assert (empty.pending, empty.failing, empty.oldest_due) == (0, 0, None)
    brief, sdr_home = _add(sessions, Effect(MessageKind.BRIEF, "T1", h), home("T1", "USDR"))
    _add(sessions, Effect(MessageKind.DECISION_DM, "T1", h), now=NOW + timedelta(minutes=3))
    with session_scope(sessions) as s:
        job = _claim(OutboxStore(s), brief, now=NOW + timedelta(minutes=4))
        assert job is not None
        # The brief failed and backs off: not due again for ten minutes.
        OutboxStore(s).retry(
            job, now=NOW + timedelta(minutes=4), error="ratelimited", after=timedelta(minutes=10)
        )
    with session_scope(sessions) as s:
        waiting = OutboxStore(s).waiting(now=NOW + timedelta(minutes=5))
    assert waiting.pending == 3 and waiting.failing == 1
    # The Home has been due longest; the brief backing off does not count as late.
    assert waiting.oldest_due == NOW
    with session_scope(sessions) as s:
        store = OutboxStore(s)
        job = _claim(store, sdr_home, now=NOW + timedelta(minutes=5))
        assert job is not None
        store.nothing_to_send(job, now=NOW + timedelta(minutes=5))
        later = store.waiting(now=NOW + timedelta(minutes=6))
    assert later.pending == 2 and later.oldest_due == NOW + timedelta(minutes=3)


def test_handoffs_are_counted_by_status_in_one_query(sessions):
    _handoff(sessions)
    withdrawn = _handoff(sessions, key="draft:2")
    with session_scope(sessions) as s:
        lifecycle.withdraw(SqlHandoffRepository(s), withdrawn, actor="USDR", now=NOW)
    with session_scope(sessions) as s:
        counts = SqlHandoffRepository(s).count_by_status()
    assert counts == {"submitted": 1, "withdrawn": 1}
