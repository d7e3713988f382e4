"""Many stored handoffs at once, written straight to the tables (the history a busy team
has), for the tests that check the sweep reads only what is due."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.services import Services
from handoff.chasing import ChaseKind, ledger_level
from storage.models import HandoffRow, OutboxRow
from tests.support.db import unit


def bulk_row(n: int, *, status: str, meeting: datetime, submitted: datetime) -> dict[str, Any]:
    return {
        "team_id": "T1",
        "sdr_id": "U0OLDSDR",
        "status": status,
        "submission_key": f"bulk:{status}:{n}",
        "company": f"Old company {n}",
        "meeting_at": meeting,
        "industry": "software",
        "company_size": "200_999",
        "region": "emea",
        "contact_name": "Someone",
        "contact_title": "Director",
        "contact_role": "champion",
        "pain": "An old pain that was handed over a long time ago, in detail.",
        "timing": "this_quarter",
        "budget_status": "identified",
        "next_steps": "A call.",
        "source": "outbound",
        "rubric_version": "2026.1",
        "submitted_at": submitted,
        "updated_at": submitted,
        "posted_at": submitted,
        "brief_channel": "C0OLDDESK",
        "brief_ts": f"1600000000.{n:06}",
        "brief_version": 2,
        "brief_synced_version": 2,
        "decided_by": "U0OLDAE" if status == "accepted" else None,
        "decided_at": submitted if status == "accepted" else None,
    }


def store_history(services: Services, count: int, *, now: datetime) -> None:
    """`count` accepted meetings still ahead (their outcome chase not due for weeks, but due
    for timing: as after an upgrade) and `count` whose outcome chases were all sent."""
    ahead = [
        {
            **bulk_row(n, status="accepted", meeting=now + timedelta(days=40), submitted=now),
            "next_chase_at": now - timedelta(days=1),
        }
        for n in range(count)
    ]
    exhausted = [
        {
            **bulk_row(
                count + n,
                status="accepted",
                meeting=now - timedelta(days=30),
                submitted=now - timedelta(days=40),
            ),
            "next_chase_at": None,
        }
        for n in range(count)
    ]
    with unit(services) as repo:
        repo.session.execute(insert(HandoffRow), ahead + exhausted)
        first = repo.session.query(HandoffRow.id).filter_by(submission_key=f"bulk:accepted:{count}")
        start = first.scalar()
        policy = services.config.policy
        asked = [
            {
                "team_id": "T1",
                "key": f"{ChaseKind.OUTCOME.value}:{start + n}:{ledger_level(0, nth)}",
                "kind": ChaseKind.OUTCOME.value,
                "handoff_id": start + n,
                "level": ledger_level(0, nth),
                "recipient": "U0OLDAE",
                "pending": False,
                "generation": 1,
                "available_at": now - timedelta(days=20),
                "attempts": 0,
                "created_at": now - timedelta(days=20),
                "sent_at": now - timedelta(days=20 - nth),
            }
            for n in range(count)
            for nth in range(1, policy.outcome_chases + 1)
        ]
        repo.session.execute(insert(OutboxRow), asked)
