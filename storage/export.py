"""`handoff export`: every handoff with its answers, score, per-criterion results, decision,
dispute, outcome and measures, for CRM import or BI.

Streamed: three ordered, server-side cursors (handoffs by id, their stakeholders and their
criterion results by handoff id, each read through its unique index, so no sort) are merged
row by row, and each handoff is written as soon as it is complete. Memory stays flat however
many rows there are (scripts/bench-export measures it). The reads share one snapshot: a
deferred transaction on SQLite (WAL: the bot keeps writing meanwhile), REPEATABLE READ READ
ONLY on PostgreSQL.

Values are the stored keys (`manufacturing`, `bad_fit`), not the labels a team may rename;
times are ISO 8601 UTC to the second (`2026-11-23T14:30:00Z`). CSV has a stable header
(`COLUMNS`): lists and objects are JSON in their cell, each rubric criterion has its own
`criterion_<key>_met|weight|must_meet|reason` columns (empty when the rubric that judged the
handoff had no such criterion). JSONL is one object per line with the same keys, except that
`criteria` is an object keyed by criterion instead of the flattened columns.

A CSV text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or
a carriage return) is written with a leading ' so it shows as text, as OWASP advises against
CSV injection (https://owasp.org/www-community/attacks/CSV_Injection); `raw=True` writes the
text as typed. JSONL is always as typed: no spreadsheet opens it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import Connection, func, select
from sqlalchemy.engine import Row

from handoff.model import Status
from handoff.rubric import CRITERIA
from storage.db import make_engine
from storage.models import CriterionResultRow, HandoffRow, StakeholderRow, UtcDateTime

FORMATS = ("csv", "jsonl")
BATCH = 1000  # rows fetched per round trip from each cursor
CRITERION_FIELDS = ("met", "weight", "must_meet", "reason")

_H = HandoffRow.__table__
_S = StakeholderRow.__table__
_C = CriterionResultRow.__table__

# In order; `criteria` stands for the per-criterion columns in CSV.
FIELDS = (
    "id",
    "team_id",
    "status",
    "sdr_id",
    "submitted_at",
    "posted_at",
    "edited_at",
    "updated_at",
    "company",
    "website",
    "meeting_at",
    "source",
    "notes",
    "industry",
    "company_size",
    "region",
    "fit_answers",
    "contact_name",
    "contact_title",
    "contact_role",
    "contact_email",
    "stakeholders",
    "pain",
    "current_solution",
    "trigger",
    "timing",
    "budget_status",
    "next_steps_status",
    "next_steps",
    "intent_signals",
    "rubric_version",
    "score",
    "clears_bar",
    "criteria",
    "suggested_ae_id",
    "decided_by",
    "decided_at",
    "seconds_to_decision",
    "rejection_reason",
    "rejection_comment",
    "ae_id",
    "reassigned_ae_id",
    "reassigned_by",
    "reassigned_at",
    "dispute_status",
    "dispute_case",
    "disputed_at",
    "dispute_resolved_by",
    "dispute_resolved_at",
    "outcome",
    "outcome_by",
    "outcome_at",
    "rescheduled_to",
    "meeting_time",
    "seconds_to_outcome",
    "brief_channel",
    "brief_ts",
)
CRITERION_COLUMNS = tuple(f"criterion_{k}_{f}" for k in CRITERIA for f in CRITERION_FIELDS)
COLUMNS = tuple(
    c for field in FIELDS for c in (CRITERION_COLUMNS if field == "criteria" else (field,))
)
# Stored columns read as they are; the rest is built per row.
_DERIVED = {"stakeholders", "criteria", "ae_id", "meeting_time"}
_STORED = [f for f in FIELDS if f not in _DERIVED]
_TIMES = [f for f in _STORED if isinstance(_H.c[f].type, UtcDateTime)]
# Criteria in the rubric's order, any other after them by name.
_RANK = {k: (0, f"{i:02}") for i, k in enumerate(CRITERIA)}
# What a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_handoffs(
    database_url: str,
    out: TextIO,
    *,
    fmt: str = "csv",
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = BATCH,
    raw: bool = False,
) -> int:
    """Write the handoffs submitted in [since, until) to `out`; the number written.
    `raw`: CSV text cells as typed, formulas included."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    engine = make_engine(database_url, read_only=True)
    try:
        with engine.connect() as conn, conn.begin():
            write = csv_writer(out, raw=raw) if fmt == "csv" else _jsonl_writer(out)
            count = 0
            for record in records(conn, since=since, until=until, batch=batch):
                write(record)
                count += 1
            return count
    finally:
        engine.dispose()


def records(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = BATCH,
) -> Iterator[dict[str, Any]]:
    """Each handoff as one dict (JSON-ready values), in id order, streamed."""
    where = []
    if since is not None:
        where.append(_H.c.submitted_at >= since)
    if until is not None:
        where.append(_H.c.submitted_at < until)
    # Children are read over the id range of the selected handoffs (an index range, no sort)
    # and those of handoffs outside the dates are skipped by the merge.
    first, last = conn.execute(select(func.min(_H.c.id), func.max(_H.c.id)).where(*where)).one()
    if first is None:
        return
    stream = {"stream_results": True, "yield_per": batch}
    handoffs = conn.execute(
        select(*(_H.c[f] for f in _STORED))
        .where(*where)
        .order_by(_H.c.id)
        .execution_options(**stream)
    )
    people = _children(
        conn.execute(
            select(_S.c.handoff_id, _S.c.name, _S.c.title, _S.c.role)
            .where(_S.c.handoff_id.between(first, last))
            .order_by(_S.c.handoff_id, _S.c.position)
            .execution_options(**stream)
        )
    )
    criteria = _children(
        conn.execute(
            select(
                _C.c.handoff_id,
                _C.c.criterion,
                _C.c.met,
                _C.c.weight,
                _C.c.must_meet,
                _C.c.reason,
            )
            .where(_C.c.handoff_id.between(first, last))
            .order_by(_C.c.handoff_id, _C.c.criterion)
            .execution_options(**stream)
        )
    )
    for row in handoffs:
        yield _record(row, people.take(row.id), criteria.take(row.id))


class _children:
    """Rows of a stream ordered by handoff_id, handed out one handoff at a time."""

    def __init__(self, rows: Any) -> None:
        self._rows = iter(rows)
        self._next: Row[Any] | None = next(self._rows, None)

    def take(self, handoff_id: int) -> list[Row[Any]]:
        while self._next is not None and self._next.handoff_id < handoff_id:
            self._next = next(self._rows, None)  # a handoff outside the dates
        taken = []
        while self._next is not None and self._next.handoff_id == handoff_id:
            taken.append(self._next)
            self._next = next(self._rows, None)
        return taken


def _record(row: Row[Any], people: list[Row[Any]], criteria: list[Row[Any]]) -> dict[str, Any]:
    data = dict(row._mapping)
    for name in _TIMES:
        if data[name] is not None:
            data[name] = iso(data[name])
    accepted = data["status"] == Status.ACCEPTED.value
    data["ae_id"] = data["reassigned_ae_id"] or (data["decided_by"] if accepted else None)
    data["meeting_time"] = data["rescheduled_to"] or data["meeting_at"]
    data["clears_bar"] = None if data["clears_bar"] is None else bool(data["clears_bar"])
    data["intent_signals"] = list(data["intent_signals"] or ())
    data["fit_answers"] = dict(sorted((data["fit_answers"] or {}).items()))
    data["stakeholders"] = [{"name": p.name, "title": p.title, "role": p.role} for p in people]
    if len(criteria) > 1:
        criteria = sorted(criteria, key=lambda c: _RANK.get(c.criterion, (1, c.criterion)))
    data["criteria"] = {
        c.criterion: {
            "met": bool(c.met),
            "weight": c.weight,
            "must_meet": bool(c.must_meet),
            "reason": c.reason,
        }
        for c in criteria
    }
    return {name: data[name] for name in FIELDS}


def iso(at: datetime) -> str:
    """ISO 8601 in UTC to the second: 2026-11-23T14:30:00Z."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_writer(out: TextIO, *, raw: bool = False) -> Any:
    """Writes the header now, and returns what writes one record as a row."""
    # RFC 4180 line ends: the csv module then quotes a cell holding a carriage return too,
    # which would otherwise end the row there in a spreadsheet (and start a cell of its own).
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    cell = _cell if raw else _safe_cell

    def write(record: dict[str, Any]) -> None:
        writer.writerow([cell(v) for v in csv_row(record)])

    return write


def csv_row(record: dict[str, Any]) -> list[Any]:
    """A record's values in COLUMNS order (criteria flattened), before cell encoding."""
    values: list[Any] = []
    for field in FIELDS:
        if field != "criteria":
            values.append(record[field])
            continue
        for key in CRITERIA:
            result = record["criteria"].get(key)
            values += [None if result is None else result[f] for f in CRITERION_FIELDS]
    return values


def _safe_cell(value: Any) -> str:
    # Only text: numbers, booleans, times and JSON cells are ours and never start a formula.
    if type(value) is str:
        return neutralise(value)
    return _cell(value)


def neutralise(text: str) -> str:
    """`text` with a leading ' when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return str(value)
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is list or kind is dict:
        return _json(value)
    return str(value)


def _jsonl_writer(out: TextIO) -> Any:
    def write(record: dict[str, Any]) -> None:
        out.write(_json(record))
        out.write("\n")

    return write


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
