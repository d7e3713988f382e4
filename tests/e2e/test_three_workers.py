"""Three `handoff worker` processes at once on one PostgreSQL, over thousands of due
reminders: each reminder reaches Slack exactly once.

The processes share nothing but the database. One sweep runs at a time (a lease in the
`leases` table: the others say so and wait for their next turn), and underneath, arming a
chase is an insert on the outbox's unique key and sending claims rows under a lease, so a
sweep that outlived its lease still cannot send a row twice. The workers sweep on the real
clock, so the team works around it here (every day, no holidays, no quiet hours): the
reminders are due whenever the test runs. HANDOFF_WORKERS_N sets how many: 10,000 under
CI=true, 600 otherwise.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.services import Services, make_services
from bot.settings import load_settings
from handoff.model import MessageKind
from slack_standin import SlackStandIn
from storage.models import HandoffRow
from storage.outbox import OutboxRow
from tests.support.bulk import bulk_row
from tests.support.chasing import chasing_env
from tests.support.cli import HANDOFF, cli_env
from tests.support.db import unit

N = int(os.environ.get("HANDOFF_WORKERS_N") or (10_000 if os.environ.get("CI") == "true" else 600))
CHANNELS = 200  # briefs spread over channels: Slack paces posts per channel
WORKERS = 3
AROUND_THE_CLOCK = """
[chasing]
timezone = "UTC"
workday = ["00:00", "23:59"]
working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
holiday_country = ""
quiet_hours = []
"""


def _pending(n: int, now: datetime) -> dict[str, object]:
    submitted = now - timedelta(hours=3)  # past the 2-hour reminder, short of escalation
    return {
        **bulk_row(n, status="pending", meeting=now + timedelta(days=7), submitted=submitted),
        "brief_channel": f"C0DESK{n % CHANNELS:03}",
        "brief_ts": f"1799000000.{n:06}",
        "brief_version": 1,
        "brief_synced_version": 1,
        "next_chase_at": now - timedelta(minutes=1),
    }


def _sent(services: Services) -> int:
    with unit(services) as repo:
        return int(
            repo.session.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_not(None))
            )
            or 0
        )


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_three_workers_send_each_due_reminder_exactly_once(database_url, tmp_path: Path):
    config = tmp_path / "handoff.toml"
    config.write_text(AROUND_THE_CLOCK)
    with SlackStandIn() as slack:
        env = {
            **chasing_env(slack, database_url),
            "HANDOFF_CONFIG": str(config),
            "HANDOFF_METRICS_PORT": "0",  # any free port: three on one machine
            "LOG_FORMAT": "text",
        }
        services = make_services(load_settings(env, dotenv=False))
        now = datetime.now(UTC)
        with unit(services) as repo:
            repo.session.execute(insert(HandoffRow), [_pending(n, now) for n in range(N)])

        logs = [tmp_path / f"worker{n}.log" for n in range(WORKERS)]
        workers = [
            subprocess.Popen(
                [*HANDOFF, "-v", "worker"],
                env=cli_env(env),
                cwd=tmp_path,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            for log in logs
        ]
        try:
            deadline = time.monotonic() + 600
            while _sent(services) < N and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), _tails(logs)
                time.sleep(1)
            time.sleep(2)  # a moment for a second send of anything, were there one, to land
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)

        posts = [c for c in slack.calls("chat.postMessage") if c.args.get("thread_ts")]
        where = Counter((c.args["channel"], c.args["thread_ts"]) for c in posts)
        assert len(where) == N and set(where.values()) == {1}, _tails(logs)
        assert slack.problems == []

    text = [log.read_text() for log in logs]
    swept = [t for t in text if f"job sweep: {N} messages" in t]
    assert len(swept) == 1, _tails(logs)  # one worker sent them all, in one sweep
    assert all("another process holds the sweep lock" in t for t in text if t not in swept)
    assert not any("Traceback" in t for t in text), _tails(logs)

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


def _tails(logs: list[Path]) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for log in logs)
