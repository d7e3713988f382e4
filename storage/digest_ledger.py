"""The digests ledger: one row per (scope, period), claimed before anything is sent.

Claiming is an INSERT … ON CONFLICT DO NOTHING on the unique (team_id, period_start):
a second worker, a restart or a second `handoff digest` for the same period finds the
row and sends nothing. A claim whose sender crashed (no sent_at after the lease) or
failed (released at once) is taken over with a compare-and-set on its claim time; the
taker first looks in Slack for what the earlier attempt already posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from handoff.digest import ClaimState
from storage.db import rows_changed
from storage.models import DigestRow

SCOPE = "all"  # one digest covers every handoff the bot knows (one workspace per token)
# Building a digest on a million handoffs and sending it takes seconds; a claim older
# than this with nothing recorded means the sender died.
CLAIM_LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5  # then the period is given up (logged); the next period is not affected


@dataclass(frozen=True)
class DigestClaim:
    id: int
    period_start: datetime
    period_end: datetime
    attempts: int = 1  # above 1: an earlier attempt may have posted part of it


@dataclass(frozen=True)
class LedgerEntry:
    period_start: datetime
    claimed_at: datetime
    sent_at: datetime | None
    channel: str | None
    ts: str | None
    attempts: int
    last_error: str | None

    def state(self, now: datetime) -> ClaimState:
        if self.sent_at is not None:
            return ClaimState.SENT
        if self.attempts >= MAX_ATTEMPTS:
            return ClaimState.GIVEN_UP
        if self.claimed_at > now - CLAIM_LEASE:
            return ClaimState.SENDING
        return ClaimState.FREE


def claim_state(entry: LedgerEntry | None, now: datetime) -> ClaimState:
    return ClaimState.FREE if entry is None else entry.state(now)


def claim(
    session: Session, *, start: datetime, end: datetime, now: datetime, scope: str = SCOPE
) -> DigestClaim | None:
    """The right to send the digest of [start, end); None when it was sent, is being sent,
    or was given up."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(DigestRow)
        .values(
            team_id=scope,
            period_start=start,
            period_end=end,
            claimed_at=now,
            attempts=1,
        )
        .on_conflict_do_nothing()
        .returning(DigestRow.id)
    )
    inserted = session.execute(stmt).scalar()
    if inserted is not None:
        return DigestClaim(inserted, start, end)
    row = session.scalar(
        select(DigestRow).where(DigestRow.team_id == scope, DigestRow.period_start == start)
    )
    if (
        row is None
        or row.sent_at is not None
        or row.attempts >= MAX_ATTEMPTS
        or row.claimed_at > now - CLAIM_LEASE
    ):
        return None
    taken = session.execute(
        update(DigestRow)
        .where(
            DigestRow.id == row.id,
            DigestRow.sent_at.is_(None),
            DigestRow.claimed_at == row.claimed_at,
        )
        .values(claimed_at=now, attempts=DigestRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(taken) != 1:
        return None
    return DigestClaim(row.id, row.period_start, row.period_end, row.attempts + 1)


def mark_sent(
    session: Session, claim_id: int, *, channel: str | None, ts: str | None, now: datetime
) -> None:
    session.execute(
        update(DigestRow)
        .where(DigestRow.id == claim_id)
        .values(sent_at=now, channel=channel, ts=ts, last_error=None)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, claim_id: int, *, error: str, now: datetime) -> None:
    """Not (fully) sent: the next sweep may take it over at once."""
    session.execute(
        update(DigestRow)
        .where(DigestRow.id == claim_id, DigestRow.sent_at.is_(None))
        .values(claimed_at=now - CLAIM_LEASE, last_error=error[:200])
        .execution_options(synchronize_session=False)
    )


def entry(session: Session, start: datetime, scope: str = SCOPE) -> LedgerEntry | None:
    row = session.scalar(
        select(DigestRow).where(DigestRow.team_id == scope, DigestRow.period_start == start)
    )
    if row is None:
        return None
    return LedgerEntry(
        row.period_start,
        row.claimed_at,
        row.sent_at,
        row.channel,
        row.ts,
        row.attempts,
        row.last_error,
    )


class DigestLedger:
    """The digests ledger inside one unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def claim(self, *, start: datetime, end: datetime, now: datetime) -> DigestClaim | None:
        return claim(self._session, start=start, end=end, now=now)

    def mark_sent(
        self, claim_id: int, *, channel: str | None, ts: str | None, now: datetime
    ) -> None:
        mark_sent(self._session, claim_id, channel=channel, ts=ts, now=now)

    def release(self, claim_id: int, *, error: str, now: datetime) -> None:
        release(self._session, claim_id, error=error, now=now)

    def entry(self, start: datetime) -> LedgerEntry | None:
        return entry(self._session, start)
