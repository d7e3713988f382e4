"""Handoffs whose acceptance depends on two criteria only: a calibration with a known answer.

Every combination of the 7 criteria met or not (2^7 = 128) appears `copies` times, with real
answers that the default rubric judges exactly that way. Of each combination's copies, the
first 1 + persona + 2·next_steps are accepted and the rest rejected (25% to 100%), so
persona and next steps predict acceptance and the five others are balanced noise: met or
not, exactly the same rates. Accepted meetings become opportunities only when persona is
met (every other copy). `copies=1` makes a sample too small to judge.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from handoff.config import Config
from handoff.digest import Calibration, CriterionCalibration, Period, Rates
from handoff.model import Qualification
from handoff.replay import Case
from handoff.rubric import CRITERIA
from handoff.scoring import score
from storage.models import HandoffRow

END = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
PREDICTIVE = ("persona", "next_steps")
NOISE = tuple(c for c in CRITERIA if c not in PREDICTIVE)


@dataclass(frozen=True)
class Meeting:
    id: int
    met: dict[str, bool]
    qualification: Qualification
    status: str
    outcome: str | None
    submitted_at: datetime

    def case(self) -> Case:
        return Case(
            self.id, self.qualification.company, self.qualification, self.status, self.outcome
        )


def answers(met: dict[str, bool], n: int, at: datetime) -> Qualification:
    """Answers the default rubric judges met or not exactly as `met` says."""
    return Qualification(
        company=f"Company {n}",
        meeting_at=at + timedelta(days=2),
        industry="software" if met["account_fit"] else "education",
        company_size="200_999",
        region="emea",
        contact_name="Dana",
        contact_title="VP",
        contact_role="economic_buyer" if met["persona"] else "influencer",
        pain="Downtime costs them forty hours a month." if met["pain"] else "Some pain.",
        current_solution="Spreadsheets.",
        timing="this_quarter" if met["timing"] else "later",
        budget_status="identified" if met["budget"] else "unknown",
        next_steps="A call on Thursday." if met["next_steps"] else "",
        next_steps_status="agreed" if met["next_steps"] else "none",
        intent_signals=("demo_request",) if met["intent"] else (),
        source="outbound",
    )


def make_meetings(copies: int = 4, end: datetime = END) -> list[Meeting]:
    meetings = []
    for combo in itertools.product((True, False), repeat=len(CRITERIA)):
        met = dict(zip(CRITERIA, combo, strict=True))
        accepted = 1 + met["persona"] + 2 * met["next_steps"]
        for i in range(copies):
            n = len(meetings) + 1
            at = end - timedelta(hours=3 * n)
            status = "accepted" if i < accepted else "rejected"
            outcome = None
            if status == "accepted":
                outcome = "held_opportunity" if met["persona"] and i % 2 == 0 else "held_no_fit"
            meetings.append(Meeting(n, met, answers(met, n, at), status, outcome, at))
    return meetings


def calibration(meetings: list[Meeting], window: Period, weeks: int = 13) -> Calibration:
    """The figures storage would count, in plain Python."""

    def rates(group: list[Meeting]) -> Rates:
        accepted = [m for m in group if m.status == "accepted"]
        return Rates(
            len(group),
            len(group),
            len(accepted),
            len(accepted),
            sum(m.outcome == "held_opportunity" for m in accepted),
        )

    criteria = tuple(
        CriterionCalibration(
            c,
            rates([m for m in meetings if m.met[c]]),
            rates([m for m in meetings if not m.met[c]]),
        )
        for c in CRITERIA
    )
    return Calibration(window, weeks, criteria)


def store(session: Any, meetings: list[Meeting], config: Config) -> None:
    """Each meeting submitted, scored by `config`, then decided and its outcome logged."""
    from storage.repository import SqlHandoffRepository

    repo = SqlHandoffRepository(session)
    for m in meetings:
        added = repo.add(
            team_id="T1",
            sdr_id="U0SDRANN",
            qualification=m.qualification,
            score=score(m.qualification, config),
            submission_key=f"calibration:{m.id}",
            now=m.submitted_at,
        )
        assert added is not None and added.id == m.id
        session.execute(
            update(HandoffRow)
            .where(HandoffRow.id == m.id)
            .values(
                status=m.status,
                outcome=m.outcome,
                decided_by="U0AEBOB",
                decided_at=m.submitted_at + timedelta(hours=1),
                seconds_to_decision=3600,
            )
        )
    session.flush()
