"""Disputes and the App Home queries on a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff import lifecycle
from handoff.model import DisputeStatus, MeetingOutcome, Status
from storage.db import make_engine, make_session_factory, session_scope
from storage.models import EventRow, HandoffRow
from storage.repository import SqlHandoffRepository
from tests.support.qualifications import NOW, qualification, scored

MANAGERS = ("UMGR1", "UMGR2")
WINDOW = timedelta(days=30)
CASE = "Dana signs off budgets above 50k; the AE missed that on the call."


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _submit(sessions, key, *, sdr="USDR", company="Acme Robotics", meeting=None):
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        q = qualification(company=company, meeting_at=meeting or NOW + timedelta(days=3))
        h = lifecycle.submit(
            repo,
            team_id="T1",
            sdr_id=sdr,
            qualification=q,
            score=scored(q),
            submission_key=key,
            now=NOW,
        ).handoff
        lifecycle.mark_posted(repo, h.id, channel="CAE", ts=f"1.{h.id}", now=NOW)
    return h.id


def _rejected(sessions, key="draft:1"):
    handoff_id = _submit(sessions, key)
    with session_scope(sessions) as s:
        lifecycle.reject(
            SqlHandoffRepository(s),
            handoff_id,
            actor="UAE1",
            is_ae=True,
            reason="wrong_persona",
            comment="Not a buyer",
            now=NOW + timedelta(hours=1),
        )
    return handoff_id


def _dispute(sessions, handoff_id, at=NOW + timedelta(hours=2)):
    with session_scope(sessions) as s:
        return lifecycle.dispute(
            SqlHandoffRepository(s),
            handoff_id,
            actor="USDR",
            case=CASE,
            managers=MANAGERS,
            now=at,
            window=WINDOW,
        )


def _resolve(sessions, handoff_id, actor, *, overturn, to_ae=None):
    with session_scope(sessions) as s:
        return lifecycle.resolve_dispute(
            SqlHandoffRepository(s),
            handoff_id,
            actor=actor,
            overturn=overturn,
            to_ae=to_ae,
            managers=MANAGERS,
            now=NOW + timedelta(hours=3),
        )


def _events(sessions, handoff_id):
    with session_scope(sessions) as s:
        rows = s.scalars(select(EventRow).where(EventRow.handoff_id == handoff_id))
        return [(e.actor, e.kind, dict(e.data)) for e in rows]


def test_dispute_then_overturn_counts_as_accepted_with_every_step_logged(sessions):
    handoff_id = _rejected(sessions)
    opened = _dispute(sessions, handoff_id)
    assert opened.changed and opened.handoff.dispute_status == DisputeStatus.OPEN
    assert not _dispute(sessions, handoff_id).changed  # a second dispute is refused
    done = _resolve(sessions, handoff_id, "UMGR1", overturn=True, to_ae="UAE2")
    assert done.changed
    with session_scope(sessions) as s:
        row = s.get(HandoffRow, handoff_id)
        assert row.status == "accepted"
        assert row.dispute_status == "overturned" and row.dispute_case == CASE
        assert row.disputed_at == NOW + timedelta(hours=2)
        assert row.dispute_resolved_by == "UMGR1"
        assert row.dispute_resolved_at == NOW + timedelta(hours=3)
        assert (row.decided_by, row.rejection_reason) == ("UAE1", "wrong_persona")
        assert row.reassigned_ae_id == "UAE2"
        assert row.seconds_to_decision == 3600  # the AE's answer time is not rewritten
        handoff = SqlHandoffRepository(s).get(handoff_id)
    assert handoff.ae_id == "UAE2"
    assert _events(sessions, handoff_id)[2:] == [
        (
            "UAE1",
            "rejected",
            {"rejection_reason": "wrong_persona", "rejection_comment": "Not a buyer"},
        ),
        (
            "USDR",
            "disputed",
            {"case": CASE, "rejected_by": "UAE1", "rejection_reason": "wrong_persona"},
        ),
        (
            "UMGR1",
            "dispute_overturned",
            {
                "rejected_by": "UAE1",
                "rejection_reason": "wrong_persona",
                "rejection_comment": "Not a buyer",
                "to": "UAE2",
            },
        ),
    ]
    # Accepted now: the outcome chase sees it, and its owner may log the outcome.
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        assert handoff_id in [h.id for h in repo.due_for_chase(NOW + timedelta(days=30))]
        logged = lifecycle.log_outcome(
            repo,
            handoff_id,
            actor="UAE2",
            outcome=MeetingOutcome.HELD_OPPORTUNITY,
            managers=MANAGERS,
            now=NOW + timedelta(days=4),
        )
    assert logged.changed


def test_upheld_stays_rejected_and_is_logged(sessions):
    handoff_id = _rejected(sessions)
    _dispute(sessions, handoff_id)
    assert (
        _resolve(sessions, handoff_id, "UAE2", overturn=False).refusal.kind == "dispute_not_manager"
    )
    assert _resolve(sessions, handoff_id, "UMGR2", overturn=False).changed
    with session_scope(sessions) as s:
        row = s.get(HandoffRow, handoff_id)
        assert (row.status, row.dispute_status, row.dispute_resolved_by) == (
            "rejected",
            "upheld",
            "UMGR2",
        )
        assert row.reassigned_ae_id is None
    assert [k for _, k, _ in _events(sessions, handoff_id)][-2:] == ["disputed", "dispute_upheld"]
    late = _resolve(sessions, handoff_id, "UMGR1", overturn=True, to_ae="UAE2")
    assert late.refusal.kind == "dispute_resolved" and late.refusal.by == "UMGR2"


def test_two_managers_resolving_at_once_get_one_verdict(sessions):
    handoff_id = _rejected(sessions)
    _dispute(sessions, handoff_id)
    barrier = threading.Barrier(2)
    results = {}

    def resolve(actor, overturn):
        barrier.wait()
        results[actor] = _resolve(
            sessions, handoff_id, actor, overturn=overturn, to_ae="UAE2" if overturn else None
        )

    threads = [
        threading.Thread(target=resolve, args=("UMGR1", True)),
        threading.Thread(target=resolve, args=("UMGR2", False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.changed for r in results.values()) == [False, True]
    winner = next(a for a, r in results.items() if r.changed)
    loser = next(r for r in results.values() if not r.changed)
    assert loser.refusal.kind == "dispute_resolved" and loser.refusal.by == winner
    verdicts = [k for _, k, _ in _events(sessions, handoff_id) if k.startswith("dispute_")]
    assert len(verdicts) == 1


def test_a_dispute_after_the_window_is_refused(sessions):
    handoff_id = _rejected(sessions)
    late = _dispute(sessions, handoff_id, at=NOW + timedelta(hours=1) + WINDOW + timedelta(1))
    assert late.refusal.kind == "too_late"
    with session_scope(sessions) as s:
        assert s.get(HandoffRow, handoff_id).dispute_status is None


def test_home_queries(sessions):
    """What an AE's Home lists: others' undecided briefs, soonest meeting first; their own
    meetings without an outcome, split at now; and whether they ever decided."""
    soon = _submit(sessions, "k1", company="Soon", meeting=NOW + timedelta(days=1))
    later = _submit(sessions, "k2", company="Later", meeting=NOW + timedelta(days=5))
    own = _submit(sessions, "k3", sdr="UAE1", company="Own")
    held = _submit(sessions, "k4", company="Held", meeting=NOW + timedelta(hours=2))
    upcoming = _submit(sessions, "k5", company="Upcoming", meeting=NOW + timedelta(days=9))
    given = _submit(sessions, "k6", company="Given", meeting=NOW + timedelta(hours=3))
    moved = _submit(sessions, "k7", company="Moved", meeting=NOW + timedelta(hours=1))
    done = _submit(sessions, "k8", company="Done", meeting=NOW + timedelta(hours=1))
    later_now = NOW + timedelta(days=1, hours=1)
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        for h in (held, upcoming, moved, done):
            lifecycle.accept(repo, h, actor="UAE1", is_ae=True, now=NOW)
        lifecycle.reassign(repo, given, actor="UMGR1", to_ae="UAE1", managers=MANAGERS, now=NOW)
        lifecycle.log_outcome(
            repo,
            moved,
            actor="UAE1",
            outcome=MeetingOutcome.RESCHEDULED,
            managers=MANAGERS,
            now=NOW + timedelta(hours=2),
            rescheduled_to=NOW + timedelta(days=2),
        )
        lifecycle.log_outcome(
            repo,
            done,
            actor="UAE1",
            outcome=MeetingOutcome.NO_SHOW,
            managers=MANAGERS,
            now=NOW + timedelta(hours=2),
        )
    with session_scope(sessions) as s:
        repo = SqlHandoffRepository(s)
        pending, total = repo.waiting_for_ae("T1", "UAE1", 10)
        assert [h.id for h in pending] == [soon, later] and total == 2
        pending, total = repo.waiting_for_ae("T1", "UAE2", 1)
        assert [h.id for h in pending] == [soon] and total == 3  # UAE1's own is for others
        due, due_total = repo.owned_open_meetings("T1", "UAE1", 10, now=later_now, due=True)
        assert [h.id for h in due] == [held, given] and due_total == 2
        ahead, ahead_total = repo.owned_open_meetings("T1", "UAE1", 1, now=later_now, due=False)
        assert [h.id for h in ahead] == [moved] and ahead_total == 2  # moved, then upcoming
        assert repo.count_for_user("T1", "USDR") == 7
        assert own not in [h.id for h in repo.recent_for_user("T1", "USDR", limit=10)]
        assert repo.get(own).status == Status.PENDING
