"""What if the rubric had been different? Re-score stored answers with a proposed rubric.

Both the current and the proposed rubric judge the same answers with the same pure scoring
code, so the two columns compare like with like (the stored scores may come from older
versions). An answer the proposed rubric cannot judge (a choice it removed, a new fit
question nobody was asked) is listed, and that handoff is left out of both columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from handoff.config import Config
from handoff.digest.figures import FINAL_OUTCOMES, Rates
from handoff.model import Qualification, Score
from handoff.scoring import score

# The answers that feed a criterion and the choice list each must come from.
_CHOICE_ANSWERS = (
    ("industry", "industries", "industry"),
    ("company_size", "company_sizes", "company size"),
    ("region", "regions", "region"),
    ("contact_role", "contact_roles", "contact role"),
    ("timing", "timing", "timing"),
    ("next_steps_status", "next_steps_status", "next steps"),
    ("budget_status", "budget_status", "budget"),
)


@dataclass(frozen=True)
class Case:
    """One stored handoff: its answers and what became of it."""

    id: int
    company: str
    qualification: Qualification
    status: str
    outcome: str | None = None


@dataclass(frozen=True)
class Change:
    case: Case
    current: Score
    proposed: Score


@dataclass(frozen=True)
class Unjudged:
    case: Case
    rubric: str  # "proposed" or "current"
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Side:
    """One rubric over the judged handoffs: those that clear its bar, and the others."""

    version: str
    bar: int
    cleared: Rates
    held_back: Rates


@dataclass(frozen=True)
class Replay:
    judged: int
    current: Side
    proposed: Side
    now_cleared: tuple[Change, ...]  # held back today, would clear under the proposal
    now_held_back: tuple[Change, ...]  # clear today, would be held back
    unjudged: tuple[Unjudged, ...]


def unjudgeable(q: Qualification, config: Config) -> tuple[str, ...]:
    """The answers this configuration's rubric cannot judge, in plain words."""
    problems = []
    for attribute, kind, noun in _CHOICE_ANSWERS:
        value = getattr(q, attribute)
        if not config.has(kind, value):
            problems.append(f"{noun} {value!r} is not one of its choices")
    for person in q.stakeholders:
        if person.role is not None and not config.has("contact_roles", person.role):
            problems.append(f"stakeholder role {person.role!r} is not one of its choices")
    for signal in q.intent_signals:
        if not config.has("intent_signals", signal):
            problems.append(f"intent signal {signal!r} is not one of its choices")
    for check in config.rubric.fit_checks:
        answer = q.fit_answers.get(check.key)
        if answer is None:
            problems.append(f"no answer to {check.label!r} (asked only under this rubric)")
        elif all(c.value != answer for c in check.choices):
            problems.append(f"{check.label} {answer!r} is not one of its choices")
    return tuple(problems)


def fate(case: Case) -> str:
    """What happened to the meeting: an outcome when accepted, else the status."""
    if case.status == "accepted":
        return case.outcome or "outcome_unknown"
    if case.status in ("submitted", "pending"):
        return "undecided"
    return case.status


def fates(changes: Iterable[Change]) -> Counter[str]:
    return Counter(fate(c.case) for c in changes)


def replay(cases: Iterable[Case], current: Config, proposed: Config) -> Replay:
    judged = 0
    unjudged: list[Unjudged] = []
    sides: dict[str, dict[bool, list[Case]]] = {
        "current": {True: [], False: []},
        "proposed": {True: [], False: []},
    }
    gained: list[Change] = []
    lost: list[Change] = []
    for case in cases:
        problems = [
            Unjudged(case, name, found)
            for name, config in (("proposed", proposed), ("current", current))
            if (found := unjudgeable(case.qualification, config))
        ]
        if problems:
            unjudged.append(problems[0])
            continue
        judged += 1
        before = score(case.qualification, current)
        after = score(case.qualification, proposed)
        sides["current"][before.clears_bar].append(case)
        sides["proposed"][after.clears_bar].append(case)
        if after.clears_bar and not before.clears_bar:
            gained.append(Change(case, before, after))
        elif before.clears_bar and not after.clears_bar:
            lost.append(Change(case, before, after))
    return Replay(
        judged=judged,
        current=_side(current, sides["current"]),
        proposed=_side(proposed, sides["proposed"]),
        now_cleared=tuple(gained),
        now_held_back=tuple(lost),
        unjudged=tuple(unjudged),
    )


def _side(config: Config, split: dict[bool, list[Case]]) -> Side:
    return Side(config.rubric.version, config.rubric.bar, rates(split[True]), rates(split[False]))


def rates(cases: Iterable[Case]) -> Rates:
    cases = list(cases)
    accepted = [c for c in cases if c.status == "accepted"]
    return Rates(
        submitted=len(cases),
        decided=sum(c.status in ("accepted", "rejected") for c in cases),
        accepted=len(accepted),
        with_outcome=sum(c.outcome in FINAL_OUTCOMES for c in accepted),
        opportunities=sum(c.outcome == "held_opportunity" for c in accepted),
    )
