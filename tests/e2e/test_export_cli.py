"""`handoff export` as an operator runs it: a file or standard output, dates, both formats."""

from __future__ import annotations

import csv
import io
import json

from storage.db import make_engine, make_session_factory
from tests.support.cli import run_handoff
from tests.support.export_records import FORMULAS, build, build_formulas


def test_export_to_a_file_and_to_standard_output(database_url, tmp_path):
    engine = make_engine(database_url)
    built = build(make_session_factory(engine))
    engine.dispose()
    env = {"DATABASE_URL": database_url}

    out = tmp_path / "handoffs.csv"
    done = run_handoff(
        ["export", "--since", "2026-11-23", "--until", "2026-11-23", "--output", str(out)],
        env,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip() == f"handoff export: 5 handoffs as csv to {out}"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [int(r["id"]) for r in rows] == [b.id for b in built[:5]]  # Stark came 10 days later
    assert not (tmp_path / "handoffs.csv.part").exists()

    done = run_handoff(["export", "--format", "jsonl"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines == [b.expected for b in built]
    assert "6 handoffs as jsonl to standard output" in done.stderr


def test_bad_dates_are_refused_before_anything_is_written(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    bad = run_handoff(["export", "--since", "last week"], env, tmp_path)
    assert bad.returncode == 2 and "--since" in bad.stderr
    backwards = run_handoff(
        ["export", "--since", "2026-12-01", "--until", "2026-11-01"], env, tmp_path
    )
    assert backwards.returncode == 2 and "--since must be before --until" in backwards.stderr
    assert list(tmp_path.iterdir()) == []


def test_raw_writes_formulas_as_typed(database_url, tmp_path):
    engine = make_engine(database_url)
    build_formulas(make_session_factory(engine))
    engine.dispose()
    env = {"DATABASE_URL": database_url}
    for args, company in (([], "'" + FORMULAS["company"]), (["--raw"], FORMULAS["company"])):
        done = run_handoff(["export", *args], env, tmp_path)
        assert done.returncode == 0, done.stderr
        row = next(csv.DictReader(io.StringIO(done.stdout, newline="")))
        assert row["company"] == company
