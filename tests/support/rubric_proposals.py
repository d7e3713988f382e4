"""Proposed rubrics for `handoff rubric try`, and what they should do to the calibration mix,
worked out from the design of the mix (which criteria each meeting meets), not by scoring."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.support.calibration_mix import Meeting

# Every weight sums to 100 in both, so a score is a whole number with no rounding.
CURRENT = {
    "weights": {
        "account_fit": 25,
        "persona": 20,
        "pain": 20,
        "timing": 15,
        "next_steps": 10,
        "budget": 5,
        "intent": 5,
    },
    "bar": 70,
    "must_meet": ("account_fit", "pain", "next_steps"),
}
PROPOSED = {
    "weights": {**CURRENT["weights"], "next_steps": 25, "pain": 5},
    "bar": 60,
    "must_meet": ("persona", "next_steps"),
}
PROPOSED_TOML = """\
[rubric]
version = "2026.2-draft"
bar = 60
must_meet = ["persona", "next_steps"]

[rubric.next_steps]
weight = 25

[rubric.pain]
weight = 5
"""
# Drops the "later" timing choice: half the mix answered it.
NO_LATER_TOML = """\
[rubric]
version = "2026.2-no-later"

[choices.timing]
active_evaluation = "Active evaluation now"
this_quarter = "This quarter"
next_quarter = "Next quarter"
unknown = "Unknown"
"""


def clears(m: Meeting, rubric: dict) -> bool:
    points = sum(w for c, w in rubric["weights"].items() if m.met[c])
    return points >= rubric["bar"] and all(m.met[c] for c in rubric["must_meet"])


@dataclass
class Expected:
    cleared: int
    accepted: int  # of those cleared (all of the mix is decided)
    with_outcome: int
    opportunities: int


def expected(meetings: list[Meeting], rubric: dict) -> Expected:
    cleared = [m for m in meetings if clears(m, rubric)]
    accepted = [m for m in cleared if m.status == "accepted"]
    return Expected(
        cleared=len(cleared),
        accepted=len(accepted),
        with_outcome=len(accepted),  # every accepted meeting of the mix has a final outcome
        opportunities=sum(m.outcome == "held_opportunity" for m in accepted),
    )


def changed(meetings: list[Meeting]) -> tuple[list[int], list[int]]:
    """Ids that would newly clear the bar, and ids that would be held back."""
    gained = [m.id for m in meetings if clears(m, PROPOSED) and not clears(m, CURRENT)]
    lost = [m.id for m in meetings if clears(m, CURRENT) and not clears(m, PROPOSED)]
    return gained, lost


def fates(meetings: list[Meeting], ids: list[int]) -> Counter[str]:
    chosen = [m for m in meetings if m.id in set(ids)]
    return Counter(m.outcome if m.status == "accepted" else m.status for m in chosen)
