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


def test_the_reminders_ledger_moves_into_the_outbox_and_nothing_still_to_send_is_lost(
    database_url,
):
    from datetime import UTC, datetime

    from sqlalchemy import text

    downgrade_to(database_url, "0005")  # the fixture migrated to head
    at = datetime(2026, 11, 23, 14, 30, tzinfo=UTC).replace(tzinfo=None)
    engine = make_engine(database_url)
    handoff = (
        "INSERT INTO handoffs (id, team_id, sdr_id, status, submission_key, company, meeting_at,"
        " industry, company_size, region, contact_name, contact_title, contact_role, pain,"
        " timing, budget_status, next_steps, source, notes, contact_email, website,"
        " current_solution, {t}, next_steps_status, intent_signals, fit_answers,"
        " rubric_version, submitted_at, updated_at, brief_channel, brief_ts, brief_version,"
        " brief_synced_version, chase_round) VALUES (:id, 'T1', 'USDR', 'pending', :key, 'Acme',"
        " :at, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '', '', '', '', '',"
        " 'agreed', '[]', '{{}}', '2026.1', :at, :at, :ch, :ts, :v, 1, 0)"
    ).format(t='"trigger"')
    reminder = (
        "INSERT INTO reminders (handoff_id, kind, level, recipient, claimed_at, sent_at, channel,"
        " ts, attempts) VALUES (:h, :kind, :level, 'U', :at, :sent, :ch, :ts, 1)"
    )
    with engine.begin() as conn:
        conn.execute(text(handoff), dict(id=1, key="k1", at=at, ch="C1", ts="1.1", v=1))
        conn.execute(text(handoff), dict(id=2, key="k2", at=at, ch="C1", ts="1.2", v=3))
        conn.execute(
            text(reminder),
            dict(h=1, kind="decision_dm", level=0, at=at, sent=at, ch="D1", ts="2.1"),
        )
        conn.execute(
            text(reminder),
            dict(h=2, kind="chase_reminder", level=1, at=at, sent=None, ch=None, ts=None),
        )
    upgrade(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, pending, channel, ts FROM outbox ORDER BY key")).all()
    engine.dispose()
    assert [(k, bool(p), c, t) for k, p, c, t in rows] == [
        ("brief:1:0", False, "C1", "1.1"),  # in sync
        ("brief:2:0", True, "C1", "1.2"),  # Slack was behind: the new sender brings it up
        ("chase_reminder:2:1", True, None, None),  # claimed, never sent: still to send
        ("decision_dm:1:0", False, "D1", "2.1"),
    ]


def test_bookings_tables_hold_one_row_per_delivery_booking_and_email(database_url):
    """0009: a replayed delivery, a second row for one booking or one email per team is
    refused by the database itself; the same keys in another team are not."""
    from datetime import UTC, datetime

    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    at = datetime(2026, 12, 3, 15, 0, tzinfo=UTC).replace(tzinfo=None)
    inbox = (
        "INSERT INTO inbox (team_id, tool, external_id, received_at, attempts, body)"
        " VALUES (:t, 'calendly', 'invitee.created:inv-1', :at, 0, '{}')"
    )
    booking = (
        "INSERT INTO bookings (team_id, tool, booking_key, status, contact_name, contact_email,"
        " company, timezone, source, campaign, event_name, answers, booked_at, updated_at)"
        " VALUES (:t, 'calendly', 'inv-1', 'booked', '', '', '', '', '', '', '', '{}', :at, :at)"
    )
    person = (
        "INSERT INTO people (team_id, email, user_id, how, updated_at)"
        " VALUES (:t, 'sdr@example.com', 'U1', 'manual', :at)"
    )
    engine = make_engine(database_url)
    try:
        for statement in (inbox, booking, person):
            with engine.begin() as conn:
                conn.execute(text(statement), dict(t="T1", at=at))
                conn.execute(text(statement), dict(t="T2", at=at))  # another team: fine
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(statement), dict(t="T1", at=at))
    finally:
        engine.dispose()


def test_0010_backfills_the_time_from_booking_of_handoffs_already_qualified(database_url):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    downgrade_to(database_url, "0009")  # the fixture migrated to head
    booked = datetime(2026, 12, 3, 15, 0, tzinfo=UTC).replace(tzinfo=None)
    sent = booked + timedelta(hours=2, minutes=30)
    handoff = (
        "INSERT INTO handoffs (id, team_id, sdr_id, status, submission_key, company, meeting_at,"
        " industry, company_size, region, contact_name, contact_title, contact_role, pain,"
        " timing, budget_status, next_steps, source, notes, contact_email, website,"
        ' current_solution, "trigger", next_steps_status, intent_signals, fit_answers,'
        " rubric_version, submitted_at, updated_at, brief_version, brief_synced_version,"
        " chase_round) VALUES (:id, 'T1', 'USDR', 'pending', :key, 'Acme', :at, 'x', 'x', 'x',"
        " 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '', '', '', '', '', 'agreed', '[]', '{}',"
        " '2026.1', :at, :at, 1, 0, 0)"
    )
    booking = (
        "INSERT INTO bookings (team_id, tool, booking_key, status, contact_name, contact_email,"
        " company, timezone, source, campaign, event_name, answers, booked_at, updated_at,"
        " handoff_id) VALUES ('T1', 'calendly', 'inv-1', 'booked', '', '', '', '', '', '', '',"
        " '{}', :at, :at, 1)"
    )
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(handoff), dict(id=1, key="k1", at=sent))
            conn.execute(text(handoff), dict(id=2, key="k2", at=sent))  # typed with /handoff
            conn.execute(text(booking), dict(at=booked))
        upgrade(database_url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, seconds_from_booking FROM handoffs ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 9000), (2, None)]
