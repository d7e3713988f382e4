"""Peak memory of `handoff export` as the number of handoffs grows (see scripts/bench-export).

For each size it tops the database up to that many handoffs (each with one or two
stakeholders and seven criterion results, every status, disputes and outcomes), then runs
the export in a fresh process that reports its own peak RSS (resource.getrusage), so the
numbers are the export's alone. Flat figures across sizes mean the export streams.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CRITERIA = (
    ("account_fit", 25, True),
    ("persona", 20, False),
    ("pain", 20, True),
    ("timing", 15, False),
    ("next_steps", 10, True),
    ("budget", 5, False),
    ("intent", 5, False),
)
STATUSES = ("accepted", "accepted", "accepted", "rejected", "rejected", "pending", "withdrawn")
REASONS = ("bad_fit", "wrong_persona", "no_pain", "bad_timing", "duplicate")
OUTCOMES = (None, "held_opportunity", "held_no_fit", "no_show", "rescheduled")
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
BATCH = 5000
# executemany needs every row to name the same columns.
OPTIONAL = dict.fromkeys(
    (
        "decided_by",
        "decided_at",
        "seconds_to_decision",
        "rejection_reason",
        "rejection_comment",
        "dispute_status",
        "dispute_case",
        "disputed_at",
        "outcome",
        "outcome_by",
        "outcome_at",
    )
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[10_000, 100_000, 1_000_000],
        help="sizes to measure, ascending (default: 10000 100000 1000000)",
    )
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return _measure(args.database, args.format)
    if args.generate is not None:
        return _generate(args.database, args.generate)

    # This process only starts others and stays small: a child's getrusage peak starts from
    # its parent's size at fork (Linux carries it over exec), so a big parent would inflate it.
    tmp = tempfile.mkdtemp(prefix="bench-export-")
    url = args.database or f"sqlite:///{tmp}/bench.db"
    print(f"database: {url}", file=sys.stderr, flush=True)
    _run("--generate", "0", "--database", url)
    baseline = _child(url, args.format, since_future=True)
    print(f"{'handoffs':>10} {'export s':>9} {'peak RSS MB':>12} {'output MB':>10}", flush=True)
    print(f"{'0 (none)':>10} {baseline['seconds']:>9.1f} {baseline['peak_mb']:>12.1f} {0:>10.1f}")
    for size in sorted(args.rows):
        t0 = time.monotonic()
        added = json.loads(_run("--generate", str(size), "--database", url))["added"]
        if added:
            took = time.monotonic() - t0
            print(f"  generated {added} handoffs in {took:.0f}s", file=sys.stderr, flush=True)
        result = _child(url, args.format)
        assert result["rows"] == size, result
        print(
            f"{size:>10} {result['seconds']:>9.1f} {result['peak_mb']:>12.1f}"
            f" {result['bytes'] / 1e6:>10.1f}",
            flush=True,
        )
    return 0


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    return done.stdout


def _child(url: str, fmt: str, *, since_future: bool = False) -> dict:
    env = {**os.environ, "BENCH_SINCE_FUTURE": "1" if since_future else ""}
    return json.loads(_run("--measure", "--database", url, "--format", fmt, env=env))


def _generate(url: str, size: int) -> int:
    from storage.migrate import upgrade

    upgrade(url)
    print(json.dumps({"added": _top_up(url, size) if size else 0}))
    return 0


def _measure(url: str, fmt: str) -> int:
    """In a fresh process: export everything to a temporary file, report peak RSS."""
    from storage.export import export_handoffs

    since = datetime(2999, 1, 1, tzinfo=UTC) if os.environ.get("BENCH_SINCE_FUTURE") else None
    with tempfile.NamedTemporaryFile("w", suffix=f".{fmt}", encoding="utf-8") as out:
        t0 = time.monotonic()
        rows = export_handoffs(url, out, fmt=fmt, since=since)
        out.flush()
        seconds = time.monotonic() - t0
        size = os.path.getsize(out.name)
    # Linux reports ru_maxrss in kilobytes, macOS in bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1e6 if sys.platform == "darwin" else peak / 1024
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb, "bytes": size}))
    return 0


def _top_up(url: str, size: int) -> int:
    """Insert handoffs until there are `size`; how many were added."""
    from sqlalchemy import func, insert, select

    from storage.db import make_engine
    from storage.models import CriterionResultRow, HandoffRow, StakeholderRow

    engine = make_engine(url)
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(HandoffRow)).scalar_one()
        next_id = (conn.execute(select(func.max(HandoffRow.id))).scalar() or 0) + 1
    rng = random.Random(next_id)
    added = 0
    while have + added < size:
        n = min(BATCH, size - have - added)
        handoffs, people, criteria = [], [], []
        for i in range(next_id, next_id + n):
            h, p, c = _handoff(i, rng)
            handoffs.append(h)
            people += p
            criteria += c
        with engine.begin() as conn:
            conn.execute(insert(HandoffRow), handoffs)
            conn.execute(insert(StakeholderRow), people)
            conn.execute(insert(CriterionResultRow), criteria)
        next_id += n
        added += n
    if engine.dialect.name == "sqlite":
        # Fold the write-ahead log back into the file, as SQLite's own checkpoints do in
        # normal use, so the export reads the database the way it would in production.
        raw = engine.raw_connection()  # outside any transaction, which a checkpoint needs
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    engine.dispose()
    return added


def _handoff(i: int, rng: random.Random) -> tuple[dict, list[dict], list[dict]]:
    submitted = START + timedelta(minutes=7 * i)
    meeting = submitted + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 6))
    status = STATUSES[i % len(STATUSES)]
    decided = submitted + timedelta(minutes=rng.randint(5, 3000))
    met = [rng.random() < 0.75 for _ in CRITERIA]
    score = sum(w for (_, w, _), m in zip(CRITERIA, met, strict=True) if m)
    row = {
        **OPTIONAL,
        "id": i,
        "team_id": "T0BENCH",
        "sdr_id": f"U0SDR{i % 40:03}",
        "status": status,
        "submission_key": f"bench:{i}",
        "company": f"Company {i} Holdings",
        "meeting_at": meeting,
        "industry": rng.choice(("software", "manufacturing", "retail", "healthcare")),
        "company_size": rng.choice(("200_999", "1000_4999", "5000_plus")),
        "region": rng.choice(("emea", "nordics", "na", "apac")),
        "contact_name": f"Contact {i}",
        "contact_title": "VP Operations",
        "contact_role": rng.choice(("economic_buyer", "champion", "end_user")),
        "pain": "Unplanned downtime on two lines costs them about 40 hours a month. " * 2,
        "timing": rng.choice(("this_quarter", "next_quarter", "later")),
        "budget_status": rng.choice(("approved", "identified", "unknown")),
        "next_steps": "Discovery call with the plant team; they share line data first.",
        "source": rng.choice(("outbound", "inbound_demo", "event", "referral")),
        "notes": "",
        "contact_email": f"contact{i}@example.com",
        "website": f"company{i}.example",
        "current_solution": "Spreadsheets and a paper log per shift.",
        "trigger": "A new plant opens in March.",
        "next_steps_status": "agreed",
        "intent_signals": ["demo_request"] if i % 3 else [],
        "fit_answers": {"compliance": "soc2"} if i % 2 else {},
        "rubric_version": "2026.1" if i % 4 else "2027.1",
        "score": score,
        "clears_bar": score >= 70,
        "submitted_at": submitted,
        "posted_at": submitted + timedelta(seconds=2),
        "updated_at": decided,
        "brief_channel": "C0AEDESK",
        "brief_ts": f"{1700000000 + i}.000100",
        "brief_version": 2,
        "brief_synced_version": 2,
    }
    if status in ("accepted", "rejected"):
        row.update(
            decided_by=f"U0AE{i % 12:03}",
            decided_at=decided,
            seconds_to_decision=int((decided - submitted).total_seconds()),
        )
    if status == "rejected":
        row.update(rejection_reason=REASONS[i % len(REASONS)], rejection_comment="Not now.")
        if i % 10 == 3:
            row.update(
                dispute_status="upheld", dispute_case="They are buying.", disputed_at=decided
            )
    if status == "accepted":
        outcome = OUTCOMES[i % len(OUTCOMES)]
        if outcome:
            row.update(outcome=outcome, outcome_by=row["decided_by"], outcome_at=meeting)
    people = [
        {"handoff_id": i, "position": p, "name": f"Person {p}", "title": "IT lead", "role": None}
        for p in range(1 + i % 2)
    ]
    criteria = [
        {
            "handoff_id": i,
            "criterion": key,
            "met": m,
            "weight": weight,
            "must_meet": gate,
            "reason": "met" if m else "not met: missing detail",
        }
        for (key, weight, gate), m in zip(CRITERIA, met, strict=True)
    ]
    return row, people, criteria


if __name__ == "__main__":
    sys.exit(main())
