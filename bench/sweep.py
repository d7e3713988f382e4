"""Benchmark: one sweep over the same open work with little or a lot of history stored.

For each stored size (10,000 then 1,000,000 by default) the database is topped up with
that many handoffs of every status (bench/export.py's generator; open ones timed for weeks
ahead, as the sweep leaves them), then `--open` new briefs are added, posted and undecided,
their reminder due. One sweep (`bot.jobs.sweep.run_sweep`, against the Slack stand-in over
HTTP, a pacer that never sleeps) times their chases and sends every reminder; the time is
printed per phase with the ratio between the sizes, and the plan of the query that picks
the due handoffs. Not a test: it takes minutes at a million.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text, update  # noqa: E402

from bench.export import _top_up  # noqa: E402
from bot.delivery.pacing import Pacer, Slack  # noqa: E402
from bot.delivery.sender import deliver_due  # noqa: E402
from bot.jobs import sweep as sweeping  # noqa: E402
from bot.services import make_services  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from slack_standin import SlackStandIn  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import HandoffRow, OutboxRow  # noqa: E402

CHANNEL = "C0BENCHAE"
# A Monday at 11:00 in New York: business hours, every new brief's reminder due.
NOW = datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
SUBMITTED = NOW - timedelta(days=3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--open", type=int, default=10_000, help="open briefs the sweep chases")
    parser.add_argument(
        "--stored", type=int, nargs="+", default=[10_000, 1_000_000], help="history sizes"
    )
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='bench-sweep-')}/bench.db"
    print(f"database: {url}", file=sys.stderr, flush=True)
    upgrade(url)
    rows = []
    for size in sorted(args.stored):
        started = time.monotonic()
        added = _top_up(url, size)
        _time_history(url)
        print(
            f"  history: {size} stored ({added} added in {time.monotonic() - started:.0f}s)",
            file=sys.stderr,
            flush=True,
        )
        rows.append((size, *_one_sweep(url, args.open, tag=str(size))))
    print(
        f"{'stored':>10} {'open':>7} {'timing s':>9} {'sending s':>10} {'sweep s':>8} "
        f"{'reminders':>10}"
    )
    for size, timing, sending, sent in rows:
        print(
            f"{size:>10} {args.open:>7} {timing:>9.2f} {sending:>10.2f} "
            f"{timing + sending:>8.2f} {sent:>10}"
        )
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print(
            f"ratio, {large[0]:,} stored to {small[0]:,}: timing "
            f"{large[1] / small[1]:.2f}x, whole sweep "
            f"{(large[1] + large[2]) / (small[1] + small[2]):.2f}x"
        )
    print("\nThe query that picks the due handoffs:")
    print(_plan(url))
    return 0


def _time_history(url: str) -> None:
    """Open history waits for its own time (weeks ahead), as the sweep leaves it; the rest
    has nothing left to chase."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(HandoffRow)
            .where(
                HandoffRow.next_chase_at.is_(None),
                HandoffRow.status.in_(("pending", "accepted")),
                HandoffRow.outcome.is_(None) | (HandoffRow.outcome == "rescheduled"),
            )
            .values(next_chase_at=NOW + timedelta(days=40))
        )
    if engine.dialect.name == "postgresql":
        # As autovacuum would after a load this size: fresh statistics, no dead rows.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _one_sweep(url: str, count: int, *, tag: str) -> tuple[float, float, int]:
    engine = make_engine(url)
    with engine.begin() as conn:
        first = (conn.scalar(select(func.max(HandoffRow.id))) or 0) + 1
        conn.execute(insert(HandoffRow), [_open_brief(first + n, tag) for n in range(count)])
    engine.dispose()
    with SlackStandIn() as slack:
        slack.add_channel(CHANNEL, "ae-bench")
        env = {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": "bench",
            "SLACK_API_URL": slack.base_url,
            "DATABASE_URL": url,
            "HANDOFF_AE_CHANNEL": CHANNEL,
        }
        services = replace(make_services(load_settings(env, dotenv=False)), now=lambda: NOW)
        started = time.monotonic()
        sweeping._arm_chases(services, NOW)
        timing = time.monotonic() - started
        started = time.monotonic()
        outcome = deliver_due(
            services, Slack.for_sweep(services.client, Pacer(sleep=lambda seconds: None))
        )
        sending = time.monotonic() - started
        services.close()
        assert not slack.problems, slack.problems[:3]
    reminders = [s for s in outcome.sent if s.kind == "chase_reminder"]
    engine = make_engine(url)
    with engine.begin() as conn:  # the next size starts from the same open work
        conn.execute(
            update(HandoffRow)
            .where(HandoffRow.id >= first)
            .values(status="withdrawn", next_chase_at=None)
        )
        conn.execute(update(OutboxRow).values(pending=False))
    engine.dispose()
    return timing, sending, len(reminders)


def _open_brief(i: int, tag: str) -> dict[str, Any]:
    return {
        "id": i,
        "team_id": "T0BENCH",
        "sdr_id": f"U0SDR{i % 40:03}",
        "status": "pending",
        "submission_key": f"sweep:{tag}:{i}",
        "company": f"Open company {i}",
        "meeting_at": NOW + timedelta(days=7),
        "industry": "software",
        "company_size": "200_999",
        "region": "emea",
        "contact_name": "Dana",
        "contact_title": "VP Operations",
        "contact_role": "economic_buyer",
        "pain": "Unplanned downtime costs them about 40 hours a month, every month.",
        "timing": "this_quarter",
        "budget_status": "identified",
        "next_steps": "A call.",
        "source": "outbound",
        "rubric_version": "2026.1",
        "submitted_at": SUBMITTED,
        "updated_at": SUBMITTED,
        "posted_at": SUBMITTED,
        "brief_channel": CHANNEL,
        "brief_ts": f"1700000000.{i:06}",
        "brief_version": 1,
        "brief_synced_version": 1,
        "next_chase_at": SUBMITTED,
    }


def _plan(url: str) -> str:
    engine = make_engine(url)
    query = (
        "SELECT id FROM handoffs WHERE next_chase_at <= :now ORDER BY next_chase_at, id LIMIT 500"
    )
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + query), {"now": NOW}).all()
            found = "\n".join(f"  {r[-1]}" for r in rows)
        else:
            rows = conn.execute(text("EXPLAIN " + query), {"now": NOW}).all()
            found = "\n".join(f"  {r[0]}" for r in rows)
    engine.dispose()
    return found


if __name__ == "__main__":
    sys.exit(main())
