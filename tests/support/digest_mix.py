"""A known mix of handoffs for the digest, and every figure computed from it in plain Python.

`make_mix()` builds the mix as plain dicts (several SDRs and AEs, sources, industries,
regions, reasons, outcomes, disputes, SLA reminders, manager assignments, two rubric
versions, handoffs before, in and after the period). `insert()` writes it as rows.
`Expected` recomputes each figure from the dicts with ordinary Python (statistics.median,
sorting, counting), never through the SQL under test.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import CriterionResultRow, HandoffRow, OutboxRow

NY = ZoneInfo("America/New_York")
# The period: the 7 days ending Monday 23 November 2026, 09:00 in New York (14:00 UTC).
END = datetime(2026, 11, 23, 9, 0, tzinfo=NY).astimezone(UTC)
START = datetime(2026, 11, 16, 9, 0, tzinfo=NY).astimezone(UTC)
CRITERIA = ("account_fit", "persona", "pain", "timing", "next_steps", "budget", "intent")
WEIGHTS = {
    "account_fit": 25,
    "persona": 20,
    "pain": 20,
    "timing": 15,
    "next_steps": 10,
    "budget": 5,
    "intent": 5,
}
SDRS = ("U0SDRANN", "U0SDRBEN", "U0SDRCAL", "U0SDRDEB", "U0SDRCOACH")
AES = ("U0AEBOB", "U0AECAT", "U0AEDAN", "U0AEEVE")
STAMP = "U0AESTAMP"  # accepts everything this week
COACH = "U0SDRCOACH"  # mostly rejected for one reason this week
SOURCES = ("outbound", "inbound_demo", "event", "referral", "other")
INDUSTRIES = ("software", "financial_services", "healthcare", "manufacturing", "retail")
REGIONS = ("north_america", "emea", "apac", "latin_america")
REASONS = ("bad_fit", "wrong_persona", "no_pain", "bad_timing", "duplicate", "other")
OUTCOMES = (None, "held_opportunity", "held_no_fit", "no_show", "rescheduled")
NEW_RUBRIC_AT = START + timedelta(days=3)  # the rubric changed mid-week: two versions


def make_mix(seed: int = 5, per_week: int = 14, weeks: int = 15) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    mix: list[dict[str, Any]] = []

    def handoff(submitted: datetime, **over: Any) -> dict[str, Any]:
        h: dict[str, Any] = {
            "id": len(mix) + 1,
            "sdr_id": rng.choice(SDRS[:4]),
            "status": rng.choices(
                ("accepted", "rejected", "withdrawn", "pending", "submitted"), (6, 3, 1, 1, 1)
            )[0],
            "submitted_at": submitted,
            "source": rng.choice(SOURCES),
            "industry": rng.choice(INDUSTRIES),
            "region": rng.choice(REGIONS),
            "meeting_at": submitted + timedelta(hours=rng.randint(20, 240)),
            "score": rng.randint(0, 100),
            "decided_by": None,
            "decided_at": None,
            "seconds_to_decision": None,
            "rejection_reason": None,
            "outcome": None,
            "reassigned_ae_id": None,
            "reassigned_at": None,
            "dispute_status": None,
            "disputed_at": None,
            "dispute_resolved_at": None,
            "reminder": None,  # None | "sent" | "claimed" (claimed only: not a breach)
            "escalated": False,
            "brief_ts": None,
        }
        h.update(over)
        h["rubric_version"] = "2026.2" if h["submitted_at"] >= NEW_RUBRIC_AT else "2026.1"
        _decide(rng, h)
        h.update(over)  # explicit values win over the random decision
        # Criteria: met more often with a higher score, so calibration has a signal.
        h["criteria"] = {c: rng.random() < 0.25 + h["score"] / 160 for c in CRITERIA}
        if h["rubric_version"] == "2026.1":
            h["criteria"].pop("intent")  # the old rubric had no intent criterion
        if "reminder" not in over and (
            h["status"] in ("pending", "submitted")
            or (h["seconds_to_decision"] and h["seconds_to_decision"] > 4 * 3600)
        ):
            h["reminder"] = rng.choice(("sent", "sent", "claimed", None))
        h["escalated"] = rng.random() < 0.2
        if h["status"] != "submitted":
            h["brief_ts"] = f"{1_700_000_000 + h['id']}.000100"
        mix.append(h)
        return h

    # Weekly flow across the calibration window and a little before and after it.
    for week in range(-weeks, 1):
        base = END + timedelta(weeks=week)
        for _ in range(per_week + rng.randint(-3, 3)):
            handoff(base - timedelta(seconds=rng.randint(1, 7 * 86400 - 1)))
    for _ in range(4):  # after the period's end: never counted
        handoff(END + timedelta(hours=rng.randint(0, 40)))
    # Exactly on the edges: the start is in, the end is out.
    handoff(START, sdr_id="U0SDRANN", status="accepted")
    handoff(END, sdr_id="U0SDRANN", status="accepted")

    # The rubber stamp: nine accepts by one AE, all decided in the period.
    for i in range(9):
        at = START + timedelta(hours=5 + 15 * i)
        handoff(
            at,
            status="accepted",
            decided_by=STAMP,
            decided_at=at + timedelta(hours=1),
            seconds_to_decision=3600,
        )
    # The coaching signal: six rejections decided in the period, four for one reason.
    for i, reason in enumerate(("wrong_persona",) * 4 + ("bad_timing", "no_pain")):
        at = START + timedelta(hours=3 + 20 * i)
        handoff(
            at,
            sdr_id=COACH,
            status="rejected",
            rejection_reason=reason,
            decided_by=AES[i % 4],
            decided_at=at + timedelta(hours=2),
            seconds_to_decision=7200,
        )
    # A manager assigned an undecided brief: accepted, but not the AE's own decision.
    at = START + timedelta(days=2)
    handoff(
        at,
        status="accepted",
        decided_by="U0AEDAN",
        decided_at=at + timedelta(hours=30),
        seconds_to_decision=30 * 3600,
        reassigned_ae_id="U0AEDAN",
        reassigned_at=at + timedelta(hours=30),
    )
    # Disputes: open, upheld and overturned; some resolved in the period, some not.
    for status, disputed, resolved in (
        ("open", START + timedelta(days=1), None),
        ("open", START - timedelta(days=3), None),
        ("upheld", START + timedelta(days=1), START + timedelta(days=2)),
        ("upheld", START - timedelta(days=5), START - timedelta(days=4)),
        ("overturned", START + timedelta(days=2), START + timedelta(days=3)),
        ("overturned", START - timedelta(days=6), START + timedelta(hours=2)),
        ("upheld", START + timedelta(days=6), END + timedelta(hours=1)),  # resolved after
    ):
        submitted = (disputed or START) - timedelta(days=1)
        handoff(
            submitted,
            status="accepted" if status == "overturned" else "rejected",
            decided_by=rng.choice(AES),
            decided_at=submitted + timedelta(hours=3),
            seconds_to_decision=3 * 3600,
            rejection_reason="bad_fit",
            dispute_status=status,
            disputed_at=disputed,
            dispute_resolved_at=resolved,
        )
    # Briefs still waiting past the response SLA; a reminder only claimed is not a breach.
    for i, reminder in enumerate(("sent", "sent", "claimed", None)):
        handoff(START + timedelta(days=1, hours=i), status="pending", reminder=reminder)
    # One legacy decided handoff without a measured time: left out of the percentiles.
    handoff(
        START + timedelta(days=4),
        status="rejected",
        seconds_to_decision=None,
        decided_by="U0AEBOB",
        rejection_reason="duplicate",
    )
    # Meetings their booking tool canceled, this week and the week before (added last, so
    # every handoff drawn before keeps its figures).
    handoff(START + timedelta(days=2), status="canceled")
    handoff(START - timedelta(days=3), status="canceled")
    return mix


def _decide(rng: random.Random, h: dict[str, Any]) -> None:
    if h["status"] not in ("accepted", "rejected"):
        return
    seconds = rng.choice((rng.randint(300, 7200), rng.randint(7200, 200_000)))
    h["decided_by"] = rng.choice(AES)
    h["decided_at"] = h["submitted_at"] + timedelta(seconds=seconds)
    h["seconds_to_decision"] = seconds
    if h["status"] == "rejected":
        h["rejection_reason"] = rng.choice(REASONS)
    else:
        h["outcome"] = rng.choice(OUTCOMES)


def insert(session: Session, mix: list[dict[str, Any]]) -> None:
    for h in mix:
        row = HandoffRow(
            id=h["id"],
            team_id="T1",
            sdr_id=h["sdr_id"],
            status=h["status"],
            submission_key=f"mix:{h['id']}",
            company=f"Company {h['id']}",
            meeting_at=h["meeting_at"],
            industry=h["industry"],
            company_size="200_999",
            region=h["region"],
            contact_name="Dana",
            contact_title="VP",
            contact_role="economic_buyer",
            pain="p",
            timing="this_quarter",
            budget_status="identified",
            next_steps="n",
            source=h["source"],
            rubric_version=h["rubric_version"],
            score=h["score"],
            clears_bar=h["score"] >= 70,
            submitted_at=h["submitted_at"],
            posted_at=h["submitted_at"] if h["brief_ts"] else None,
            brief_channel="C0AEDESK" if h["brief_ts"] else None,
            brief_ts=h["brief_ts"],
            brief_version=1,
            brief_synced_version=1,
            decided_at=h["decided_at"],
            decided_by=h["decided_by"],
            seconds_to_decision=h["seconds_to_decision"],
            rejection_reason=h["rejection_reason"],
            outcome=h["outcome"],
            reassigned_ae_id=h["reassigned_ae_id"],
            reassigned_at=h["reassigned_at"],
            reassigned_by="U0MGRDEE" if h["reassigned_at"] else None,
            dispute_status=h["dispute_status"],
            disputed_at=h["disputed_at"],
            dispute_resolved_at=h["dispute_resolved_at"],
            updated_at=h["submitted_at"],
        )
        row.criteria = [
            CriterionResultRow(criterion=c, met=met, weight=WEIGHTS[c], must_meet=False, reason="r")
            for c, met in h["criteria"].items()
        ]
        session.add(row)
    session.flush()
    for h in mix:
        if h["reminder"]:
            sent = h["reminder"] == "sent"
            session.add(
                OutboxRow(
                    team_id="T1",
                    key=f"chase_reminder:{h['id']}:1",
                    handoff_id=h["id"],
                    kind="chase_reminder",
                    level=1,
                    recipient="C0AEDESK",
                    pending=not sent,
                    generation=1,
                    available_at=h["submitted_at"] + timedelta(hours=3),
                    created_at=h["submitted_at"] + timedelta(hours=3),
                    sent_at=h["submitted_at"] + timedelta(hours=3) if sent else None,
                    attempts=1,
                )
            )
        if h["escalated"]:  # other ledger kinds never count as SLA breaches
            session.add(
                OutboxRow(
                    team_id="T1",
                    key=f"chase_escalation:{h['id']}:1",
                    handoff_id=h["id"],
                    kind="chase_escalation",
                    level=1,
                    recipient="G1",
                    pending=False,
                    generation=1,
                    available_at=h["submitted_at"],
                    created_at=h["submitted_at"],
                    sent_at=h["submitted_at"],
                    attempts=1,
                )
            )
    session.flush()


# -- the figures, in plain Python -------------------------------------------------------------


def percent(part: int, whole: int) -> int | None:
    if not whole:
        return None
    return math.floor(Fraction(100 * part, whole) + Fraction(1, 2))


def p90(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def week_before(at: datetime, weeks: int = 1) -> datetime:
    local = at.astimezone(NY).replace(tzinfo=None) - timedelta(weeks=weeks)
    return local.replace(tzinfo=NY).astimezone(UTC)


@dataclass
class Expected:
    mix: list[dict[str, Any]]
    start: datetime = START
    end: datetime = END

    def cohort(self, start: datetime | None = None, end: datetime | None = None) -> list[dict]:
        start, end = start or self.start, end or self.end
        return [h for h in self.mix if start <= h["submitted_at"] < end]

    @staticmethod
    def funnel(hs: list[dict]) -> dict[str, int]:
        statuses = Counter(h["status"] for h in hs)
        return {
            "submitted": len(hs),
            "accepted": statuses["accepted"],
            "rejected": statuses["rejected"],
            "withdrawn": statuses["withdrawn"],
            "pending": statuses["pending"] + statuses["submitted"],
            "canceled": statuses["canceled"],
        }

    def previous(self) -> list[dict]:
        return self.cohort(week_before(self.start), self.start)

    def trend(self) -> list[dict[str, int]]:
        ends = [week_before(self.end, k) for k in range(7, -1, -1)]
        return [self.funnel(self.cohort(week_before(e), e)) for e in ends]

    @staticmethod
    def times(hs: list[dict]) -> list[int]:
        return [
            h["seconds_to_decision"]
            for h in hs
            if h["status"] in ("accepted", "rejected") and h["seconds_to_decision"] is not None
        ]

    def timing(self) -> tuple[int, float | None, int | None]:
        t = self.times(self.cohort())
        return len(t), (statistics.median(t) if t else None), (p90(t) if t else None)

    def groups(self, key: str) -> list[tuple[str, int, int, int]]:
        by: dict[str, list[dict]] = defaultdict(list)
        for h in self.cohort():
            by[h[key]].append(h)
        rows = [
            (
                k,
                len(v),
                sum(h["status"] == "accepted" for h in v),
                sum(h["status"] == "rejected" for h in v),
            )
            for k, v in by.items()
        ]
        return sorted(rows, key=lambda r: (-r[1], r[0]))

    def sdr_medians(self) -> dict[str, float | None]:
        by: dict[str, list[dict]] = defaultdict(list)
        for h in self.cohort():
            by[h["sdr_id"]].append(h)
        return {k: (statistics.median(t) if (t := self.times(v)) else None) for k, v in by.items()}

    def reasons(self) -> list[tuple[str, int]]:
        counts = Counter(h["rejection_reason"] for h in self.cohort() if h["status"] == "rejected")
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def sla(self) -> tuple[int, int]:
        breached = [h for h in self.cohort() if h["reminder"] == "sent"]
        return len(breached), sum(h["status"] in ("pending", "submitted") for h in breached)

    def outcomes(self) -> dict[str, int]:
        meetings = [
            h
            for h in self.mix
            if h["status"] == "accepted" and self.start <= h["meeting_at"] < self.end
        ]
        c = Counter(h["outcome"] for h in meetings)
        return {
            "meetings": len(meetings),
            "held_opportunity": c["held_opportunity"],
            "held_no_fit": c["held_no_fit"],
            "no_show": c["no_show"],
            "rescheduled": c["rescheduled"],
            "unknown": c[None],
        }

    def stale(self, limit: int) -> tuple[list[int], int]:
        open_ = sorted(
            (
                h
                for h in self.mix
                if h["status"] in ("pending", "submitted") and h["submitted_at"] < self.end
            ),
            key=lambda h: (h["submitted_at"], h["id"]),
        )
        return [h["id"] for h in open_[:limit]], len(open_)

    def disputes(self) -> dict[str, int]:
        def within(at: datetime | None) -> bool:
            return at is not None and self.start <= at < self.end

        ds = [h for h in self.mix if h["dispute_status"]]
        return {
            "opened": sum(within(h["disputed_at"]) for h in ds),
            "upheld": sum(
                h["dispute_status"] == "upheld" and within(h["dispute_resolved_at"]) for h in ds
            ),
            "overturned": sum(
                h["dispute_status"] == "overturned" and within(h["dispute_resolved_at"]) for h in ds
            ),
            "open_at_end": sum(
                h["disputed_at"] < self.end
                and (
                    h["dispute_status"] == "open"
                    or (
                        h["dispute_resolved_at"] is not None
                        and h["dispute_resolved_at"] >= self.end
                    )
                )
                for h in ds
            ),
        }

    def ae_decisions(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for h in self.mix:
            if h["status"] not in ("accepted", "rejected") or not h["decided_by"]:
                continue
            if not (self.start <= h["decided_at"] < self.end):
                continue
            if h["reassigned_at"] is not None and h["reassigned_at"] == h["decided_at"]:
                continue  # a manager's assignment
            out[h["decided_by"]][0] += 1
            own_accept = h["status"] == "accepted" and h["dispute_status"] != "overturned"
            out[h["decided_by"]][1] += own_accept
        return {k: (v[0], v[1]) for k, v in out.items()}

    def rubber_stamps(self, min_decisions: int = 8, points: int = 25) -> list[str]:
        rows = self.ae_decisions()
        team = percent(sum(a for _, a in rows.values()), sum(d for d, _ in rows.values()))
        assert team is not None
        return sorted(
            ae
            for ae, (d, a) in rows.items()
            if d >= min_decisions and (a == d or percent(a, d) - team >= points)
        )

    def coaching(self, min_rejections: int = 5, share: int = 60) -> list[tuple[str, str, int, int]]:
        by: dict[str, Counter[str]] = defaultdict(Counter)
        for h in self.mix:
            if h["status"] == "rejected" and self.start <= h["decided_at"] < self.end:
                by[h["sdr_id"]][h["rejection_reason"]] += 1
        out = []
        for sdr, reasons in by.items():
            total = sum(reasons.values())
            reason, n = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if total >= min_rejections and 100 * n >= share * total:
                out.append((sdr, reason, n, total))
        return sorted(out)

    def calibration_cohort(self, weeks: int = 13) -> list[dict]:
        return self.cohort(week_before(self.end, weeks), self.end)

    @staticmethod
    def rates(hs: list[dict]) -> tuple[int, int, int, int, int]:
        accepted = [h for h in hs if h["status"] == "accepted"]
        final = [
            h for h in accepted if h["outcome"] in ("held_opportunity", "held_no_fit", "no_show")
        ]
        return (
            len(hs),
            sum(h["status"] in ("accepted", "rejected") for h in hs),
            len(accepted),
            len(final),
            sum(h["outcome"] == "held_opportunity" for h in final),
        )

    def criteria(self, weeks: int = 13) -> dict[str, dict[bool, tuple[int, ...]]]:
        hs = self.calibration_cohort(weeks)
        out: dict[str, dict[bool, tuple[int, ...]]] = {}
        for c in CRITERIA:
            having = [h for h in hs if c in h["criteria"]]
            if having:
                out[c] = {
                    met: self.rates([h for h in having if h["criteria"][c] is met])
                    for met in (True, False)
                }
        return out

    def bands(self, edges: tuple[int, ...] = (40, 70), weeks: int = 13) -> list[tuple[int, ...]]:
        hs = self.calibration_cohort(weeks)
        lows = [0, *edges]
        highs = [e - 1 for e in edges] + [100]
        return [
            self.rates([h for h in hs if lo <= h["score"] <= hi])
            for lo, hi in zip(lows, highs, strict=True)
        ]

    def versions(self, weeks: int = 13) -> dict[str, tuple[int, ...]]:
        hs = self.calibration_cohort(weeks)
        return {
            v: self.rates([h for h in hs if h["rubric_version"] == v])
            for v in sorted({h["rubric_version"] for h in hs})
        }
