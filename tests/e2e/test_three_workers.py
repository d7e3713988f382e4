"""Three `handoff chase` processes at once on one PostgreSQL, over thousands of due
reminders: each reminder reaches Slack exactly once.

The processes share nothing but the database. One sweep runs at a time (a lease in the
`leases` table: the others say so and stop), and underneath, arming a chase is an insert on
the outbox's unique key and sending claims rows under a lease, so a sweep that outlived its
lease still cannot send a row twice. HANDOFF_WORKERS_N sets how many reminders: 10,000 under
CI=true, 600 otherwise.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.services import make_services
from bot.settings import load_settings
from handoff.model import MessageKind
from slack_standin import SlackStandIn
from storage.models import HandoffRow
from storage.outbox import OutboxRow
from tests.support.bulk import bulk_row
from tests.support.chasing import chasing_env, ny
from tests.support.cli import HANDOFF, cli_env
from tests.support.db import unit

N = int(os.environ.get("HANDOFF_WORKERS_N") or (10_000 if os.environ.get("CI") == "true" else 600))
CHANNELS = 200  # briefs spread over channels: Slack paces posts per channel
SUBMITTED = ny(2027, 1, 4, 9, 0)  # a Monday morning
NOW = ny(2027, 1, 4, 15, 0)  # the 2-business-hour reminder is due; nothing else is


def _pending(n: int) -> dict[str, object]:
    return {
        **bulk_row(n, status="pending", meeting=NOW + timedelta(days=7), submitted=SUBMITTED),
        "brief_channel": f"C0DESK{n % CHANNELS:03}",
        "brief_ts": f"1799000000.{n:06}",
        "brief_version": 1,
        "brief_synced_version": 1,
        "next_chase_at": NOW - timedelta(minutes=1),
    }


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_three_workers_send_each_due_reminder_exactly_once(database_url, tmp_path):
    with SlackStandIn() as slack:
        env = chasing_env(slack, database_url)
        services = make_services(load_settings(env, dotenv=False))
        with unit(services) as repo:
            repo.session.execute(insert(HandoffRow), [_pending(n) for n in range(N)])
        services.close()

        workers = [
            subprocess.Popen(
                [*HANDOFF, "chase", "--now", NOW.isoformat()],
                env=cli_env(env),
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [w.communicate(timeout=600) for w in workers]
        for worker, (_, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err[-2000:]
        said = [line for out, _ in outputs for line in out.splitlines() if "chase_reminder" in line]
        assert len(said) == N  # each process printed what it sent: N lines between them
        for _, err in outputs:  # and each either swept or found another sweep running
            assert "sent" in err or "another process holds the sweep lock" in err, err[-500:]

        posts = [c for c in slack.calls("chat.postMessage") if c.args.get("thread_ts")]
        where = Counter((c.args["channel"], c.args["thread_ts"]) for c in posts)
        assert len(where) == N and set(where.values()) == {1}
        assert slack.problems == []

    services = make_services(load_settings(env, dotenv=False))
    with unit(services) as repo:
        kinds = dict(
            repo.session.execute(
                select(OutboxRow.kind, func.count())
                .where(OutboxRow.sent_at.is_not(None))
                .group_by(OutboxRow.kind)
            ).all()
        )
        waiting = repo.session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.pending.is_(True))
        )
    services.close()
    assert kinds == {MessageKind.CHASE_REMINDER.value: N}
    assert waiting == 0
