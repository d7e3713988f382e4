"""Claiming one-shot messages in the reminders ledger, exactly once across processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.db import rows_changed
from storage.models import ReminderRow

# A claim older than this with no send recorded is taken to be a crashed sender.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    id: int
    handoff_id: int
    kind: str
    level: int
    recipient: str
    # Above 1 when a stale claim was taken over: the crashed sender may have reached
    # Slack before it died, so look for the message before sending again.
    attempts: int = 1


def claim(
    session: Session,
    *,
    handoff_id: int,
    kind: str,
    level: int,
    recipient: str,
    now: datetime,
) -> Claim | None:
    """Claim the right to send; None when it was sent already or someone else is sending."""
    values = {
        "handoff_id": handoff_id,
        "kind": kind,
        "level": level,
        "recipient": recipient,
        "claimed_at": now,
        "attempts": 1,
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(ReminderRow).values(values).on_conflict_do_nothing()
    inserted = session.execute(stmt.returning(ReminderRow.id)).scalar()
    if inserted is not None:
        return Claim(inserted, handoff_id, kind, level, recipient)

    row = session.scalar(
        select(ReminderRow).where(
            ReminderRow.handoff_id == handoff_id,
            ReminderRow.kind == kind,
            ReminderRow.level == level,
        )
    )
    if row is None or row.sent_at is not None or row.claimed_at > now - CLAIM_LEASE:
        return None
    # Take over a stale claim with a compare-and-set on the old claim time.
    taken = session.execute(
        update(ReminderRow)
        .where(
            ReminderRow.id == row.id,
            ReminderRow.sent_at.is_(None),
            ReminderRow.claimed_at == row.claimed_at,
        )
        .values(claimed_at=now, attempts=ReminderRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(taken) != 1:
        return None
    return Claim(row.id, handoff_id, kind, level, row.recipient, row.attempts + 1)


def mark_sent(session: Session, claim_id: int, *, channel: str, ts: str, now: datetime) -> None:
    session.execute(
        update(ReminderRow)
        .where(ReminderRow.id == claim_id)
        .values(sent_at=now, channel=channel, ts=ts, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, claim_id: int, *, error: str, now: datetime) -> None:
    """Release the claim at once: we know it was not sent, so the next sweep may retry."""
    session.execute(
        update(ReminderRow)
        .where(ReminderRow.id == claim_id, ReminderRow.sent_at.is_(None))
        .values(claimed_at=now - CLAIM_LEASE, last_error=error[:200])
        .execution_options(synchronize_session=False)
    )


def unsent(session: Session, *, now: datetime, limit: int = 100) -> list[Claim]:
    """Messages claimed but not sent whose lease ran out: the next sweep retries them."""
    rows = session.scalars(
        select(ReminderRow)
        .where(ReminderRow.sent_at.is_(None), ReminderRow.claimed_at <= now - CLAIM_LEASE)
        .order_by(ReminderRow.id)
        .limit(limit)
    )
    return [Claim(r.id, r.handoff_id, r.kind, r.level, r.recipient) for r in rows]


@dataclass(frozen=True)
class Entry:
    """One ledger row as the sweep needs it."""

    handoff_id: int
    kind: str
    level: int
    sent_at: datetime | None
    channel: str | None
    ts: str | None


def entries(session: Session, handoff_ids: list[int], kinds: list[str]) -> list[Entry]:
    """What was claimed or sent for these handoffs (the chase rules read it)."""
    if not handoff_ids:
        return []
    rows = session.execute(
        select(
            ReminderRow.handoff_id,
            ReminderRow.kind,
            ReminderRow.level,
            ReminderRow.sent_at,
            ReminderRow.channel,
            ReminderRow.ts,
        ).where(ReminderRow.handoff_id.in_(handoff_ids), ReminderRow.kind.in_(kinds))
    )
    return [Entry(*row) for row in rows]
