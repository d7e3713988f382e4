"""Migrations keep what is in the database: a 0001 database with handoffs, their criteria,
people, events, ledger rows and drafts comes out at head with all of it, and back again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from storage.db import make_engine
from storage.migrate import downgrade_to, upgrade

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
ACME_CRITERIA = {
    "account_fit": {"met": True, "weight": 25, "must_meet": True, "reason": "Manufacturing fits"},
    "pain": {"met": False, "weight": 20, "must_meet": True, "reason": "Too vague"},
}
# Other shapes the column may hold: bare flags, a list, and values that cannot be read.
GLOBEX_CRITERIA = {"timing": True, "budget": False, "": True, "intent": "maybe"}
INITECH_CRITERIA = [{"criterion": "persona", "met": True, "weight": 20}]


def _table(conn: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def _handoff(handoff_id: int, criteria: Any) -> dict[str, Any]:
    """A handoffs row as revision 0001 stored it."""
    return {
        "id": handoff_id,
        "team_id": "T1",
        "sdr_id": "USDR1",
        "status": "pending",
        "submission_key": f"k{handoff_id}",
        "company": f"Company {handoff_id}",
        "meeting_at": AT,
        "industry": "manufacturing",
        "company_size": "200_999",
        "region": "emea",
        "contact_name": "Dana Whitfield",
        "contact_title": "VP Operations",
        "contact_role": "economic_buyer",
        "pain": "Unplanned downtime on two lines.",
        "timing": "this_quarter",
        "budget_status": "identified",
        "next_steps": "Discovery call.",
        "source": "outbound",
        "notes": "",
        "rubric_version": "2026.1",
        "score": 45,
        "criteria": criteria,
        "submitted_at": AT,
        "brief_version": 1,
        "brief_synced_version": 1,
        "updated_at": AT,
    }


def _fill_at_0001(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        handoffs = _table(conn, "handoffs")
        conn.execute(
            handoffs.insert(),
            [
                _handoff(1, ACME_CRITERIA),
                _handoff(2, GLOBEX_CRITERIA),
                _handoff(3, INITECH_CRITERIA),
                _handoff(4, None),
            ],
        )
        for n in (1, 2):
            conn.execute(
                _table(conn, "stakeholders").insert(),
                {"handoff_id": n, "position": 0, "name": "Lee Park", "title": "IT", "role": None},
            )
            conn.execute(
                _table(conn, "handoff_events").insert(),
                {"handoff_id": n, "at": AT, "actor": "USDR1", "kind": "submitted", "data": {}},
            )
            conn.execute(
                _table(conn, "reminders").insert(),
                {
                    "handoff_id": n,
                    "kind": "brief",
                    "level": 0,
                    "recipient": "CAE",
                    "claimed_at": AT,
                    "attempts": 1,
                },
            )
        conn.execute(
            _table(conn, "drafts").insert(),
            {
                "team_id": "T1",
                "user_id": "USDR1",
                "handoff_id": 1,
                "step": 2,
                "answers": {},
                "created_at": AT,
                "updated_at": AT,
            },
        )
    engine.dispose()


# Tables whose rows reference a handoff from 0001 to head; the ledger (reminders) is 0001's
# shape, compared once the database is back at 0001.
KEPT = ("handoffs", "stakeholders", "handoff_events")


def _counts(url: str, tables: tuple[str, ...] = KEPT) -> dict[str, Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        counts: dict[str, Any] = {
            t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables
        }
        counts["drafts linked"] = conn.scalar(
            sa.text("SELECT count(*) FROM drafts WHERE handoff_id = 1")
        )
    engine.dispose()
    return counts


def _criterion_results(url: str) -> set[tuple[Any, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT handoff_id, criterion, met, weight, must_meet, reason "
                "FROM criterion_results"
            )
        )
        found = {(r[0], r[1], bool(r[2]), r[3], bool(r[4]), r[5]) for r in rows}
    engine.dispose()
    return found


def test_upgrading_keeps_every_row_that_references_a_handoff(database_url: str) -> None:
    """On SQLite a column is dropped by copying the table: with foreign keys enforced, the
    old table's DROP used to delete its people, events and ledger rows (ON DELETE CASCADE)."""
    downgrade_to(database_url, "0001")
    _fill_at_0001(database_url)
    with_ledger = (*KEPT, "reminders")
    before = _counts(database_url, with_ledger)
    assert before == {
        "handoffs": 4,
        "stakeholders": 2,
        "handoff_events": 2,
        "reminders": 2,
        "drafts linked": 1,
    }
    upgrade(database_url)
    assert _counts(database_url) == {k: v for k, v in before.items() if k != "reminders"}
    downgrade_to(database_url, "0001")
    assert _counts(database_url, with_ledger) == before


def test_0002_moves_the_old_criteria_into_criterion_results(database_url: str) -> None:
    downgrade_to(database_url, "0001")
    _fill_at_0001(database_url)
    upgrade(database_url)
    assert _criterion_results(database_url) == {
        (1, "account_fit", True, 25, True, "Manufacturing fits"),
        (1, "pain", False, 20, True, "Too vague"),
        # Bare flags: met or not, nothing else known. "" and "maybe" cannot be read.
        (2, "timing", True, 0, False, ""),
        (2, "budget", False, 0, False, ""),
        (3, "persona", True, 20, False, ""),
    }


def test_downgrading_past_0002_puts_the_criteria_back(database_url: str) -> None:
    downgrade_to(database_url, "0001")
    _fill_at_0001(database_url)
    upgrade(database_url)
    downgrade_to(database_url, "0001")
    engine = make_engine(database_url)
    with engine.connect() as conn:
        handoffs = _table(conn, "handoffs")
        criteria = dict(conn.execute(sa.select(handoffs.c.id, handoffs.c.criteria)).all())
    engine.dispose()
    assert criteria[1] == ACME_CRITERIA
    assert criteria[3] == {"persona": {"met": True, "weight": 20, "must_meet": False, "reason": ""}}
    assert criteria[4] is None
