"""The rubric: what "sales qualified" means for this team, read from the config file.

Each criterion is met or not from the answers; met criteria add their weight to
the score (0–100). A meeting clears the bar when its score reaches `bar` and
every criterion in `must_meet` is met.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CRITERIA = ("account_fit", "persona", "pain", "timing", "next_steps", "budget", "intent")
# Data points that inform the score but may never decide it alone.
NEVER_GATES = ("budget", "intent")
SMALL_WEIGHT_SHARE = 0.2
PAIN_EXTRAS = ("current_solution", "trigger")
_KEY = re.compile(r"^[a-z0-9_]{1,40}$")


class RubricError(ValueError):
    """A rubric setting is impossible; the message names the key (the caller adds the file)."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FitCheck:
    """An extra account-fit question (compliance environment, operating model…)."""

    key: str
    label: str
    choices: tuple[Choice, ...]
    counts: frozenset[str]

    @property
    def field(self) -> str:
        return f"fit_{self.key}"


@dataclass(frozen=True)
class Rubric:
    version: str
    bar: int
    must_meet: tuple[str, ...]
    below_bar: str  # "allow": submit marked below bar | "block": go back and fix
    weights: Mapping[str, int]
    labels: Mapping[str, str]
    industries: frozenset[str]  # empty: any industry fits
    company_sizes: frozenset[str]
    regions: frozenset[str]
    fit_checks: tuple[FitCheck, ...]
    persona_roles: frozenset[str]
    pain_min_length: int
    pain_requires: tuple[str, ...]
    timing_counts: frozenset[str]
    next_steps_counts: frozenset[str]
    budget_counts: frozenset[str]
    intent_min_signals: int

    @property
    def total_weight(self) -> int:
        return sum(self.weights.values())


def parse_rubric(data: Mapping[str, Any], choices: Mapping[str, tuple[Any, ...]]) -> Rubric:
    """Build the rubric from the `[rubric]` table, checking every value against the choices."""
    r = _Reader(data, "rubric")
    version = r.text("version", 40)
    bar = r.integer("bar", 0, 100)
    below_bar = r.one_of("below_bar", ("allow", "block"))
    weights: dict[str, int] = {}
    labels: dict[str, str] = {}
    sections: dict[str, _Reader] = {}
    for key in CRITERIA:
        section = r.table(key)
        sections[key] = section
        weights[key] = section.integer("weight", 0, 100)
        labels[key] = section.text("label", 60)
    unknown = sorted(set(data) - {*CRITERIA, "version", "bar", "below_bar", "must_meet"})
    if unknown:
        raise RubricError(f"rubric.{unknown[0]} is not a rubric setting or criterion")
    total = sum(weights.values())
    if total <= 0:
        raise RubricError("rubric: the criteria's weights add up to 0; give some a weight")
    for key in NEVER_GATES:
        if weights[key] > total * SMALL_WEIGHT_SHARE:
            raise RubricError(
                f"rubric.{key}.weight is {weights[key]} of {total}; {key} is a data point, "
                f"keep it at most {int(SMALL_WEIGHT_SHARE * 100)}% of the total"
            )
    must_meet = r.keys("must_meet", CRITERIA)
    for key in NEVER_GATES:
        if key in must_meet:
            raise RubricError(f"rubric.must_meet: {key} informs the score but can never be a gate")

    fit = sections["account_fit"]
    persona = sections["persona"]
    pain = sections["pain"]
    return Rubric(
        version=version,
        bar=bar,
        must_meet=must_meet,
        below_bar=below_bar,
        weights=weights,
        labels=labels,
        industries=frozenset(fit.keys("industries", _values(choices, "industries"))),
        company_sizes=frozenset(fit.keys("company_sizes", _values(choices, "company_sizes"))),
        regions=frozenset(fit.keys("regions", _values(choices, "regions"))),
        fit_checks=_fit_checks(fit),
        persona_roles=frozenset(
            persona.keys("roles", _values(choices, "contact_roles"), required=True)
        ),
        pain_min_length=pain.integer("min_length", 1, 1000),
        pain_requires=pain.keys("requires", PAIN_EXTRAS),
        timing_counts=frozenset(
            sections["timing"].keys("counts", _values(choices, "timing"), required=True)
        ),
        next_steps_counts=frozenset(
            sections["next_steps"].keys(
                "counts", _values(choices, "next_steps_status"), required=True
            )
        ),
        budget_counts=frozenset(
            sections["budget"].keys("counts", _values(choices, "budget_status"), required=True)
        ),
        intent_min_signals=sections["intent"].integer("min_signals", 1, 20),
    )


def _values(choices: Mapping[str, tuple[Any, ...]], kind: str) -> tuple[str, ...]:
    return tuple(c.value for c in choices.get(kind, ()))


def _fit_checks(fit: _Reader) -> tuple[FitCheck, ...]:
    checks = fit.data.get("checks", {})
    if not isinstance(checks, dict):
        raise RubricError(f"{fit.where}.checks must be a table of [..checks.name] tables")
    found = []
    for key in checks:
        if not _KEY.match(key):
            raise RubricError(f"{fit.where}.checks.{key}: use lowercase letters, digits and _")
        check = fit.table(f"checks.{key}", checks[key])
        raw = check.data.get("choices")
        where = f"{check.where}.choices"
        if not isinstance(raw, dict) or not 2 <= len(raw) <= 100:
            raise RubricError(f'{where} must be a table of 2–100 key = "Label" lines')
        options = []
        for value, label in raw.items():
            if not _KEY.match(value):
                raise RubricError(f"{where}.{value}: use lowercase letters, digits and _")
            if not isinstance(label, str) or not 0 < len(label.strip()) <= 75:
                raise RubricError(f"{where}.{value}: the label must be text of 1–75 characters")
            options.append(Choice(value, label.strip()))
        counts = check.keys("counts", tuple(o.value for o in options), required=True)
        found.append(FitCheck(key, check.text("label", 60), tuple(options), frozenset(counts)))
    if len(found) > 4:
        raise RubricError(f"{fit.where}.checks: at most 4 extra fit checks keep the step short")
    return tuple(found)


class _Reader:
    """Typed access to one TOML table, with errors that name the full key."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise RubricError(f"{where} must be a table")
        self.data: dict[str, Any] = data
        self.where = where

    def table(self, key: str, value: Any = None) -> _Reader:
        value = self.data.get(key) if value is None else value
        if value is None:
            raise RubricError(f"{self.where}.{key} is missing")
        return _Reader(value, f"{self.where}.{key}")

    def text(self, key: str, limit: int) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
            raise RubricError(f"{self.where}.{key} must be text of 1–{limit} characters")
        return value.strip()

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise RubricError(f"{self.where}.{key} must be a whole number from {low} to {high}")
        return value

    def one_of(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.data.get(key)
        if value not in allowed:
            raise RubricError(f"{self.where}.{key} must be one of: {', '.join(allowed)}")
        return str(value)

    def keys(
        self, key: str, allowed: tuple[str, ...], *, required: bool = False
    ) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RubricError(f'{self.where}.{key} must be a list of keys, like ["a", "b"]')
        for v in value:
            if v not in allowed:
                raise RubricError(
                    f"{self.where}.{key}: {v!r} is not one of: {', '.join(allowed) or '(none)'}"
                )
        if required and not value:
            raise RubricError(f"{self.where}.{key} needs at least one key")
        return tuple(dict.fromkeys(value))
