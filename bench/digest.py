"""Benchmark: `handoff digest --dry-run` on a database of a million handoffs.

    .venv/bin/python bench/digest.py                                 # SQLite, 1,000,000
    .venv/bin/python bench/digest.py --database postgresql://postgres@127.0.0.1:5432/test

The data is generated inside the database in a few statements (a recursive CTE on
SQLite, generate_series on PostgreSQL, then INSERT … SELECT for the per-criterion
results and the reminders ledger), spread evenly over `--weeks` weeks ending at the
digest's period end, with deterministic pseudo-random SDRs, AEs, sources, industries,
regions, statuses, decision times, reasons, outcomes, disputes, scores, criteria and two
rubric versions. Then the real command is timed, as an operator would run it, and each
query of the digest is timed in-process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handoff.config import load_config  # noqa: E402
from handoff.digest import trend, week_ending  # noqa: E402
from storage import metrics  # noqa: E402
from storage.db import make_engine, make_session_factory, normalize_url, session_scope  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

END = "2026-11-23T09:00:00-05:00"  # a Monday, 09:00 in New York: a scheduled digest time
INDUSTRIES = (
    "software",
    "financial_services",
    "healthcare",
    "manufacturing",
    "retail",
    "public_sector",
    "education",
    "other",
)
REGIONS = ("north_america", "latin_america", "emea", "apac")
SOURCES = ("outbound", "inbound_demo", "event", "referral", "other")
REASONS = ("bad_fit", "wrong_persona", "no_pain", "bad_timing", "duplicate", "other")
CRITERIA = (
    ("account_fit", 25),
    ("persona", 20),
    ("pain", 20),
    ("timing", 15),
    ("next_steps", 10),
    ("budget", 5),
    ("intent", 5),
)


def h(salt: int) -> str:
    """A deterministic pseudo-random number 0…1,000,002 from the row number `i`."""
    return f"((i * 2654435761 + {salt * 40503}) % 1000003)"


def pick(expr: str, values: tuple[str, ...]) -> str:
    whens = " ".join(f"WHEN {n} THEN '{v}'" for n, v in enumerate(values))
    return f"CASE ({expr}) % {len(values)} {whens} END"


def generate(url: str, count: int, weeks: int) -> None:
    end = int(datetime.fromisoformat(END).timestamp())
    span = weeks * 7 * 86400
    t0 = end - span
    cut = span - 20 * 7 * 86400  # the rubric changed 20 weeks before the end
    sqlite = url.startswith("sqlite")

    def ts(seconds: str) -> str:
        if sqlite:
            return f"(datetime({t0} + ({seconds}), 'unixepoch') || '.000000')"
        return f"to_timestamp({t0} + ({seconds}))"

    if sqlite:
        head = (
            f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {count})"
        )
        source = "seq"
    else:
        head = ""
        source = f"(SELECT CAST(g AS BIGINT) AS i FROM generate_series(1, {count}) AS g) AS seq"
    recent = count - count // 100  # only the latest 1% may still be pending
    base = f"""
        SELECT i,
               (i - 1) * {span} / {count} + {h(8)} % 600 AS off,
               {h(2)} % 100 AS r,
               300 + {h(9)} % 172800 AS s2d,
               {h(1)} AS h1, {h(3)} AS h3, {h(4)} AS h4, {h(5)} AS h5, {h(6)} AS h6,
               {h(7)} AS h7, {h(10)} AS h10, {h(11)} AS h11, {h(12)} AS h12,
               {h(13)} AS h13, {h(14)} AS h14
        FROM {source}
    """
    status = (
        "CASE WHEN r < 55 THEN 'accepted' WHEN r < 80 THEN 'rejected' WHEN r < 88 THEN "
        f"'withdrawn' WHEN i > {recent} THEN 'pending' ELSE 'withdrawn' END"
    )
    handoffs = f"""
        {head}
        INSERT INTO handoffs (
            id, team_id, sdr_id, status, submission_key, company, meeting_at, industry,
            company_size, region, contact_name, contact_title, contact_role, pain, timing,
            budget_status, next_steps, source, notes, rubric_version, score, clears_bar,
            submitted_at, posted_at, brief_channel, brief_ts, brief_version,
            brief_synced_version, updated_at, decided_at, decided_by, seconds_to_decision,
            rejection_reason, outcome, dispute_status, disputed_at, dispute_resolved_at
        )
        SELECT i, 'T1', 'U0SDR' || (h1 % 300), st, 'bench:' || i, 'Company ' || i,
               {ts("off + 86400 + h3 % 864000")}, {pick("h4", INDUSTRIES)}, '200_999',
               {pick("h5", REGIONS)}, 'Dana', 'VP', 'economic_buyer', 'p', 'this_quarter',
               'identified', 'n', {pick("h6", SOURCES)}, '',
               CASE WHEN off < {cut} THEN '2026.1' ELSE '2026.2' END,
               h7 % 101, h7 % 101 >= 70,
               {ts("off")}, {ts("off + 5")}, 'C0AEDESK', (1700000000 + i) || '.000100', 1, 1,
               {ts("off")},
               CASE WHEN st IN ('accepted', 'rejected') THEN {ts("off + s2d")} END,
               CASE WHEN st IN ('accepted', 'rejected') THEN 'U0AE' || (h10 % 40) END,
               CASE WHEN st IN ('accepted', 'rejected') THEN s2d END,
               CASE WHEN st = 'rejected' THEN {pick("h11", REASONS)} END,
               CASE WHEN st = 'accepted' THEN CASE h12 % 6 WHEN 1 THEN 'held_opportunity'
                    WHEN 2 THEN 'held_no_fit' WHEN 3 THEN 'no_show' WHEN 4 THEN 'rescheduled'
                    WHEN 5 THEN 'held_opportunity' END END,
               CASE WHEN st = 'rejected' AND h13 % 40 = 0 THEN
                        CASE WHEN h14 % 2 = 0 THEN 'open' ELSE 'upheld' END
                    WHEN st = 'accepted' AND h13 % 80 = 0 THEN 'overturned' END,
               CASE WHEN (st = 'rejected' AND h13 % 40 = 0) OR (st = 'accepted' AND h13 % 80 = 0)
                    THEN {ts("off + s2d + 3600")} END,
               CASE WHEN (st = 'rejected' AND h13 % 40 = 0 AND h14 % 2 = 1)
                      OR (st = 'accepted' AND h13 % 80 = 0)
                    THEN {ts("off + s2d + 90000")} END
        FROM (SELECT b.*, {status} AS st FROM ({base}) AS b) AS x
    """
    criteria = " UNION ALL ".join(
        f"SELECT '{name}' AS criterion, {k} AS k, {weight} AS weight"
        for k, (name, weight) in enumerate(CRITERIA)
    )
    results = f"""
        INSERT INTO criterion_results (handoff_id, criterion, met, weight, must_meet, reason)
        SELECT handoffs.id, c.criterion, (handoffs.id * 31 + c.k * 17) % 100 < handoffs.score + 10,
               c.weight, FALSE, ''
        FROM handoffs CROSS JOIN ({criteria}) AS c
        WHERE NOT (c.criterion = 'intent' AND handoffs.rubric_version = '2026.1')
    """
    reminders = """
        INSERT INTO reminders (handoff_id, kind, level, recipient, claimed_at, sent_at, attempts)
        SELECT id, 'chase_reminder', 1, 'C0AEDESK', posted_at, posted_at, 1
        FROM handoffs WHERE id % 5 = 0 OR status = 'pending'
    """
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        for name, sql in (
            ("handoffs", handoffs),
            ("criterion_results", results),
            ("reminders", reminders),
        ):
            started = time.monotonic()
            conn.execute(text(sql))
            print(f"  {name}: {time.monotonic() - started:.1f}s", flush=True)
        started = time.monotonic()
        conn.exec_driver_sql("ANALYZE")
        print(f"  ANALYZE: {time.monotonic() - started:.1f}s", flush=True)
    engine.dispose()


def count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM handoffs")).scalar() or 0)
    finally:
        engine.dispose()


def time_cli(url: str, runs: int) -> list[float]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("HANDOFF_CONFIG", None)
    times = []
    for n in range(runs):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "bot.entrypoints.cli", "digest", "--dry-run", "--now", END],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.monotonic() - started)
        if done.returncode != 0:
            raise SystemExit(f"handoff digest failed:\n{done.stderr}")
        if n == 0:
            head = "\n".join(done.stdout.splitlines()[:14])
            print(f"  first lines of the digest:\n{head}\n  …")
    return times


def time_queries(url: str) -> None:
    config = load_config()
    zone = config.policy.zone
    period = week_ending(datetime.fromisoformat(END).astimezone(UTC), zone)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    steps = {
        "funnels (8 weeks)": lambda s: metrics.funnels(s, trend(period.end, zone)),
        "time to decision": lambda s: metrics.timing(s, period),
        "stale briefs": lambda s: metrics.stale(s, period.end, 5),
        "per SDR (with medians)": lambda s: metrics.sdrs(s, period),
        "by source/industry/region": lambda s: [
            metrics.breakdown(s, period, c)
            for c in (metrics.H.source, metrics.H.industry, metrics.H.region)
        ],
        "rejection reasons": lambda s: metrics.reasons(s, period),
        "SLA breaches": lambda s: metrics.sla_breaches(s, period),
        "meeting outcomes": lambda s: metrics.outcomes(s, period),
        "disputes": lambda s: metrics.disputes(s, period),
        "AE decisions": lambda s: metrics.ae_decisions(s, period),
        "SDR rejections": lambda s: metrics.sdr_rejections(s, period),
        "calibration (13 weeks)": lambda s: metrics.calibration(s, config, period),
    }
    with session_scope(sessions) as session:
        for name, step in steps.items():
            started = time.monotonic()
            step(session)
            print(f"  {name:<28} {1000 * (time.monotonic() - started):8.0f} ms")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="DATABASE_URL (default: a SQLite file in a temp dir)")
    parser.add_argument("--handoffs", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=104, help="weeks of history (default 104)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the command")
    parser.add_argument("--reuse", action="store_true", help="keep data already generated")
    args = parser.parse_args()

    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-digest.db'}"
    schema = None
    if url.startswith("postgres") and not args.reuse:
        # A schema of its own, dropped at the end: the database may be shared.
        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = create_engine(normalize_url(url))
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        admin.dispose()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        if not (args.reuse and count(url) >= args.handoffs):
            print(f"generating {args.handoffs:,} handoffs over {args.weeks} weeks …", flush=True)
            started = time.monotonic()
            generate(url, args.handoffs, args.weeks)
            print(f"  generated in {time.monotonic() - started:.1f}s")
        print(f"database: {url.split('?')[0]} ({count(url):,} handoffs)")
        print(f"timing `handoff digest --dry-run --now {END}` ({args.runs} runs) …")
        times = time_cli(url, args.runs)
        print("  runs: " + ", ".join(f"{t:.2f}s" for t in times))
        print(
            f"  median {statistics.median(times):.2f}s (the whole command: start-up, "
            "queries, rendering, chart)"
        )
        print("each query, in-process:")
        time_queries(url)
    finally:
        if schema:
            admin = create_engine(normalize_url(args.database))
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
