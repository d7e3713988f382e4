"""`handoff export` on a real database: what it writes equals what the test built.

The expected records are written out here from the test's own inputs (the answers, the
scores, who did what when), never read back through the repository.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handoff import lifecycle
from handoff.config import load_config
from handoff.model import MeetingOutcome, Qualification, Score, Stakeholder
from handoff.scoring import score
from storage.db import make_engine, make_session_factory, session_scope
from storage.export import COLUMNS, export_handoffs
from storage.repository import SqlHandoffRepository
from tests.support.qualifications import NOW, qualification

MANAGERS = ("UMGR1",)
CRITERIA = ("account_fit", "persona", "pain", "timing", "next_steps", "budget", "intent")
HOSTILE_COMMENT = 'Said "no budget", twice;\nthen: =SUM(A1) ✓ & <@U1>'
RUBRIC_2027 = """
[rubric]
version = "2027.1"
bar = 80
[rubric.account_fit.checks.compliance]
label = "Compliance environment"
counts = ["soc2", "hipaa"]
[rubric.account_fit.checks.compliance.choices]
soc2 = "SOC 2"
hipaa = "HIPAA"
none = "None or unknown"
"""


def z(at: datetime) -> str:
    """How the export must show a time: ISO 8601, UTC, to the second."""
    assert at.tzinfo is not None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Built:
    """One handoff as the test made it, and what its export line must say."""

    sdr: str
    q: Qualification
    score: Score
    submitted: datetime
    expected: dict[str, Any] = field(default_factory=dict)
    id: int = 0


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _base(b: Built) -> dict[str, Any]:
    q = b.q
    return {
        "id": b.id,
        "team_id": "T1",
        "status": "pending",
        "sdr_id": b.sdr,
        "submitted_at": z(b.submitted),
        "posted_at": z(b.submitted + timedelta(minutes=1)),
        "edited_at": None,
        "updated_at": z(b.submitted + timedelta(minutes=1)),
        "company": q.company,
        "website": q.website,
        "meeting_at": z(q.meeting_at),
        "source": q.source,
        "notes": q.notes,
        "industry": q.industry,
        "company_size": q.company_size,
        "region": q.region,
        "fit_answers": dict(q.fit_answers),
        "contact_name": q.contact_name,
        "contact_title": q.contact_title,
        "contact_role": q.contact_role,
        "contact_email": q.contact_email,
        "stakeholders": [
            {"name": s.name, "title": s.title, "role": s.role} for s in q.stakeholders
        ],
        "pain": q.pain,
        "current_solution": q.current_solution,
        "trigger": q.trigger,
        "timing": q.timing,
        "budget_status": q.budget_status,
        "next_steps_status": q.next_steps_status,
        "next_steps": q.next_steps,
        "intent_signals": list(q.intent_signals),
        "rubric_version": b.score.rubric_version,
        "score": b.score.points,
        "clears_bar": b.score.clears_bar,
        "criteria": {
            r.key: {"met": r.met, "weight": r.weight, "must_meet": r.must_meet, "reason": r.reason}
            for r in b.score.results
        },
        "suggested_ae_id": None,
        "decided_by": None,
        "decided_at": None,
        "seconds_to_decision": None,
        "rejection_reason": None,
        "rejection_comment": None,
        "ae_id": None,
        "reassigned_ae_id": None,
        "reassigned_by": None,
        "reassigned_at": None,
        "dispute_status": None,
        "dispute_case": None,
        "disputed_at": None,
        "dispute_resolved_by": None,
        "dispute_resolved_at": None,
        "outcome": None,
        "outcome_by": None,
        "outcome_at": None,
        "rescheduled_to": None,
        "meeting_time": z(q.meeting_at),
        "seconds_to_outcome": None,
        "brief_channel": "CAE",
        "brief_ts": f"1.{b.id}",
    }


def build(sessions) -> list[Built]:
    """Two SDRs, two AEs, two rubric versions, every kind of ending, and hostile text."""
    v1 = load_config()
    v2 = _config_2027()
    h = NOW
    specs = [
        Built(
            "USDR1",
            qualification(
                company="Acme Robotics",
                intent_signals=("demo_request", "pricing_visits"),
                stakeholders=(
                    Stakeholder("Lee Park", "Plant IT lead", "champion"),
                    Stakeholder("Sam Roy", "Controller", None),
                ),
                website="acme.example",
                contact_email="dana@acme.example",
                trigger="A new plant opens in March.",
            ),
            Score(0, (), False, (), ""),
            h,
        ),
        Built(
            "USDR2",
            qualification(
                company='Globex, "Intl" – Ünïcode',
                source="inbound_demo",
                region="nordics",
                fit_answers={"compliance": "soc2"},
                notes="Line one\nline two, with a comma",
            ),
            Score(0, (), False, (), ""),
            h + timedelta(hours=1),
        ),
        Built(
            "USDR1",
            qualification(company="Initech", timing="later", stakeholders=()),
            Score(0, (), False, (), ""),
            h + timedelta(hours=2),
        ),
        Built(
            "USDR2",
            qualification(company="Umbrella", source="event", fit_answers={"compliance": "none"}),
            Score(0, (), False, (), ""),
            h + timedelta(hours=3),
        ),
        Built(
            "USDR1",
            qualification(company="Hooli", intent_signals=()),
            Score(0, (), False, (), ""),
            h + timedelta(hours=4),
        ),
        Built(
            "USDR2",
            qualification(company="Stark", meeting_at=NOW + timedelta(days=12)),
            Score(0, (), False, (), ""),
            h + timedelta(days=10),
        ),
    ]
    for i, b in enumerate(specs):
        b.score = score(b.q, v2 if i in (1, 3) else v1)
        with session_scope(sessions) as s:
            repo = SqlHandoffRepository(s)
            b.id = lifecycle.submit(
                repo,
                team_id="T1",
                sdr_id=b.sdr,
                qualification=b.q,
                score=b.score,
                submission_key=f"k{i}",
                now=b.submitted,
            ).handoff.id
            lifecycle.mark_posted(
                repo, b.id, channel="CAE", ts=f"1.{b.id}", now=b.submitted + timedelta(minutes=1)
            )
        b.expected = _base(b)
    acme, globex, initech, umbrella, _hooli, stark = specs

    def act(fn, *args, **kwargs):
        with session_scope(sessions) as s:
            result = fn(SqlHandoffRepository(s), *args, **kwargs)
        assert result.changed, result
        return result

    # Acme: accepted after 2 hours, held, opportunity created the day after the meeting.
    t = acme.submitted + timedelta(hours=2)
    act(lifecycle.accept, acme.id, actor="UAE1", now=t)
    logged = acme.q.meeting_at + timedelta(days=1)
    act(
        lifecycle.log_outcome,
        acme.id,
        actor="UAE1",
        outcome=MeetingOutcome.HELD_OPPORTUNITY,
        managers=MANAGERS,
        now=logged,
    )
    acme.expected.update(
        status="accepted",
        decided_by="UAE1",
        decided_at=z(t),
        seconds_to_decision=7200,
        ae_id="UAE1",
        outcome="held_opportunity",
        outcome_by="UAE1",
        outcome_at=z(logged),
        seconds_to_outcome=86400,
        updated_at=z(logged),
    )

    # Globex: rejected with a hostile comment, disputed, overturned to the other AE.
    t = globex.submitted + timedelta(minutes=30)
    act(lifecycle.reject, globex.id, actor="UAE2", reason="bad_fit", comment=HOSTILE_COMMENT, now=t)
    case = "They run SOC 2; fit is fine.\nSee the call notes."
    d = t + timedelta(days=1)
    act(
        lifecycle.dispute,
        globex.id,
        actor="USDR2",
        case=case,
        managers=MANAGERS,
        now=d,
        window=timedelta(days=30),
    )
    r = d + timedelta(hours=5)
    act(
        lifecycle.resolve_dispute,
        globex.id,
        actor="UMGR1",
        overturn=True,
        to_ae="UAE1",
        managers=MANAGERS,
        now=r,
    )
    globex.expected.update(
        status="accepted",
        decided_by="UAE2",
        decided_at=z(t),
        seconds_to_decision=1800,
        rejection_reason="bad_fit",
        rejection_comment=HOSTILE_COMMENT,
        ae_id="UAE1",
        reassigned_ae_id="UAE1",
        reassigned_by="UMGR1",
        reassigned_at=z(r),
        dispute_status="overturned",
        dispute_case=case,
        disputed_at=z(d),
        dispute_resolved_by="UMGR1",
        dispute_resolved_at=z(r),
        updated_at=z(r),
    )

    # Initech: rejected without a comment, disputed, upheld.
    t = initech.submitted + timedelta(hours=26)
    act(lifecycle.reject, initech.id, actor="UAE1", reason="bad_timing", comment="", now=t)
    d, r = t + timedelta(hours=1), t + timedelta(hours=2)
    act(
        lifecycle.dispute,
        initech.id,
        actor="USDR1",
        case="Budget is approved for Q1.",
        managers=MANAGERS,
        now=d,
        window=timedelta(days=30),
    )
    act(
        lifecycle.resolve_dispute,
        initech.id,
        actor="UMGR1",
        overturn=False,
        managers=MANAGERS,
        now=r,
    )
    initech.expected.update(
        status="rejected",
        decided_by="UAE1",
        decided_at=z(t),
        seconds_to_decision=26 * 3600,
        rejection_reason="bad_timing",
        dispute_status="upheld",
        dispute_case="Budget is approved for Q1.",
        disputed_at=z(d),
        dispute_resolved_by="UMGR1",
        dispute_resolved_at=z(r),
        updated_at=z(r),
    )

    # Umbrella: withdrawn by its SDR.
    t = umbrella.submitted + timedelta(minutes=5)
    act(lifecycle.withdraw, umbrella.id, actor="USDR2", now=t)
    umbrella.expected.update(status="withdrawn", updated_at=z(t))

    # Hooli: still pending (as built).
    # Stark: accepted, then rescheduled to a later date.
    t = stark.submitted + timedelta(hours=1)
    act(lifecycle.accept, stark.id, actor="UAE2", now=t)
    moved_at, new_date = t + timedelta(hours=1), NOW + timedelta(days=20)
    act(
        lifecycle.log_outcome,
        stark.id,
        actor="UAE2",
        outcome=MeetingOutcome.RESCHEDULED,
        managers=MANAGERS,
        now=moved_at,
        rescheduled_to=new_date,
    )
    stark.expected.update(
        status="accepted",
        decided_by="UAE2",
        decided_at=z(t),
        seconds_to_decision=3600,
        ae_id="UAE2",
        outcome="rescheduled",
        outcome_by="UAE2",
        outcome_at=z(moved_at),
        rescheduled_to=z(new_date),
        meeting_time=z(new_date),
        updated_at=z(moved_at),
    )
    return specs


def _config_2027():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "team.toml"
        path.write_text(RUBRIC_2027, encoding="utf-8")
        return load_config(path)


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


def test_unknown_format_is_refused(database_url):
    with pytest.raises(ValueError, match="csv, jsonl"):
        export_handoffs(database_url, io.StringIO(), fmt="xlsx")
