"""Outcomes, reassignment, measures, chase candidates and sweep leadership on a real database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff import lifecycle
from handoff.effects import Effect
from handoff.model import MeetingOutcome, MessageKind, Status
from storage.db import make_engine, make_session_factory, session_scope
from storage.leader import LEASE, leadership
from storage.models import HandoffRow
from storage.outbox import OutboxStore
from storage.repository import SqlHandoffRepository
from tests.support.qualifications import NOW, qualification, scored

MANAGERS = ("UMGR",)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


def _accepted(sessions, key="draft:1"):
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        h = lifecycle.submit(
            repo,
            team_id="T1",
            sdr_id="USDR",
            qualification=qualification(),
            score=scored(),
            submission_key=key,
            now=NOW,
        ).handoff
        lifecycle.mark_posted(repo, h.id, channel="CAE", ts="1.1", now=NOW)
        lifecycle.accept(repo, h.id, actor="UAE", is_ae=True, now=NOW + timedelta(hours=3))
    return h.id


def test_decision_time_is_measured(sessions):
    handoff_id = _accepted(sessions)
    with session_scope(sessions) as s:
        assert SqlHandoffRepository(s).get(handoff_id).seconds_to_decision == 3 * 3600


def test_outcome_is_logged_once_and_measured_from_the_meeting(sessions):
    handoff_id = _accepted(sessions)
    meeting = qualification().meeting_at
    logged_at = meeting + timedelta(hours=20)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        done = lifecycle.log_outcome(
            repo,
            handoff_id,
            actor="UAE",
            outcome=MeetingOutcome.HELD_OPPORTUNITY,
            managers=MANAGERS,
            now=logged_at,
        )
        again = lifecycle.log_outcome(
            repo,
            handoff_id,
            actor="UMGR",
            outcome=MeetingOutcome.NO_SHOW,
            managers=MANAGERS,
            now=logged_at,
        )
    assert done.changed and done.handoff.seconds_to_outcome == 20 * 3600
    assert done.handoff.outcome == "held_opportunity" and done.handoff.outcome_by == "UAE"
    assert not again.changed and again.refusal.kind == "outcome_logged"
    with session_scope(sessions) as s:
        assert [e.kind for e in SqlHandoffRepository(s).events(handoff_id)][-1] == "outcome"


def test_only_the_ae_or_a_manager_may_log_an_outcome(sessions):
    handoff_id = _accepted(sessions)
    with session_scope(sessions) as s:
        refused = lifecycle.log_outcome(
            SqlHandoffRepository(s),
            handoff_id,
            actor="USDR",
            outcome=MeetingOutcome.HELD_OPPORTUNITY,
            managers=MANAGERS,
            now=NOW,
        )
    assert refused.refusal.kind == "not_owner" and refused.refusal.by == "UAE"


def test_reschedule_moves_the_meeting_and_starts_a_new_round(sessions):
    handoff_id = _accepted(sessions)
    new_date = NOW + timedelta(days=10)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        moved = lifecycle.log_outcome(
            repo,
            handoff_id,
            actor="UAE",
            outcome=MeetingOutcome.RESCHEDULED,
            managers=MANAGERS,
            now=NOW,
            rescheduled_to=new_date,
        )
        assert moved.handoff.meeting_time == new_date and moved.handoff.chase_round == 1
        assert moved.handoff.qualification.meeting_at == qualification().meeting_at
        with pytest.raises(ValueError):
            lifecycle.log_outcome(
                repo,
                handoff_id,
                actor="UAE",
                outcome=MeetingOutcome.RESCHEDULED,
                managers=MANAGERS,
                now=NOW,
                rescheduled_to=NOW - timedelta(days=1),
            )
        final = lifecycle.log_outcome(
            repo,
            handoff_id,
            actor="UAE",
            outcome=MeetingOutcome.NO_SHOW,
            managers=MANAGERS,
            now=new_date + timedelta(hours=1),
        )
    assert final.changed and final.handoff.seconds_to_outcome == 3600


def test_concurrent_outcome_clicks_have_one_winner(sessions):
    handoff_id = _accepted(sessions)
    barrier = threading.Barrier(4)
    results = []

    def click(outcome):
        barrier.wait()
        with session_scope(sessions) as s:
            results.append(
                lifecycle.log_outcome(
                    SqlHandoffRepository(s),
                    handoff_id,
                    actor="UAE",
                    outcome=outcome,
                    managers=MANAGERS,
                    now=NOW,
                )
            )

    outcomes = [MeetingOutcome.HELD_OPPORTUNITY, MeetingOutcome.NO_SHOW] * 2
    threads = [threading.Thread(target=click, args=(o,)) for o in outcomes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len([r for r in results if r.changed]) == 1


def test_a_manager_assigns_an_undecided_brief(sessions):
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        h = lifecycle.submit(
            repo,
            team_id="T1",
            sdr_id="USDR",
            qualification=qualification(),
            score=scored(),
            submission_key="k",
            now=NOW,
        ).handoff
        lifecycle.mark_posted(repo, h.id, channel="CAE", ts="1.1", now=NOW)
        refused = lifecycle.reassign(
            repo, h.id, actor="UAE", to_ae="UBOB", managers=MANAGERS, now=NOW
        )
        assert refused.refusal.kind == "not_manager"
        done = lifecycle.reassign(
            repo, h.id, actor="UMGR", to_ae="UBOB", managers=MANAGERS, now=NOW + timedelta(1)
        )
    assert done.changed and done.handoff.status == Status.ACCEPTED
    assert done.handoff.ae_id == "UBOB" and done.handoff.reassigned_by == "UMGR"
    assert done.handoff.seconds_to_decision == 86400


def test_every_change_asks_the_sweep_to_look_again_until_nothing_is_left_to_chase(sessions):
    accepted = _accepted(sessions, "a")
    logged = _accepted(sessions, "b")
    later = NOW + timedelta(days=1)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        assert [h.id for h in repo.due_for_chase(later)] == [accepted, logged]
        lifecycle.log_outcome(
            repo, logged, actor="UAE", outcome=MeetingOutcome.NO_SHOW, managers=(), now=NOW
        )
        assert [h.id for h in repo.due_for_chase(later)] == [accepted]  # a final outcome
        repo.set_next_chases({accepted: later + timedelta(hours=1)})
        assert repo.due_for_chase(later) == []  # not due yet
        assert [h.id for h in repo.due_for_chase(later + timedelta(hours=1))] == [accepted]
        outbox = OutboxStore(s)
        outbox.add([Effect(MessageKind.CHASE_OUTCOME, "T1", accepted, 1)], now=NOW)
        entries = outbox.entries([accepted, logged], ["chase_outcome"])
    assert [(e.handoff_id, e.level, e.sent_at) for e in entries] == [(accepted, 1, None)]


def test_one_sweep_leads_at_a_time(database_url):
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        with (
            leadership(first, "chase", holder="a", now=NOW) as a,
            leadership(second, "chase", holder="b", now=NOW) as b,
        ):
            assert (a, b) == (True, False)
        with leadership(second, "chase", holder="b", now=NOW) as b:
            assert b
    finally:
        first.dispose()
        second.dispose()


def test_a_crashed_holders_lease_runs_out_on_sqlite(tmp_path):
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        with leadership(engine, "chase", holder="a", now=NOW) as a:
            assert a
            with leadership(engine, "chase", holder="b", now=NOW + LEASE) as b:
                assert b  # a's lease ran out: it is taken to have crashed
        with session_scope(sessions) as s:
            assert s.scalar(select(HandoffRow.id)) is None
    finally:
        engine.dispose()
