"""Judging a qualification against the rubric: each criterion met or not, and why."""

from __future__ import annotations

from collections.abc import Callable

from handoff.config import Config
from handoff.model import CriterionResult, Qualification, Score
from handoff.rubric import CRITERIA, Rubric


def score(q: Qualification, config: Config) -> Score:
    rubric = config.rubric
    judged = [(key, *_JUDGES[key](q, config, rubric)) for key in CRITERIA]
    results = tuple(
        CriterionResult(key, met, rubric.weights[key], reason, must_meet=key in rubric.must_meet)
        for key, met, reason in judged
    )
    earned = sum(r.weight for r in results if r.met)
    points = round(100 * earned / rubric.total_weight)
    missing = tuple(r.key for r in results if r.key in rubric.must_meet and not r.met)
    intent = next(r for r in results if r.key == "intent")
    return Score(
        points=points,
        results=results,
        clears_bar=points >= rubric.bar and not missing,
        missing=missing,
        rubric_version=rubric.version,
        high_intent=intent.met,
    )


def may_submit(s: Score, rubric: Rubric) -> bool:
    """Below the bar, the rubric decides whether the SDR may still send it."""
    return s.clears_bar or rubric.below_bar == "allow"


Judgement = tuple[bool, str]


def _account_fit(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    misses = []
    for kind, value, targets, noun in (
        ("industries", q.industry, rubric.industries, "industry"),
        ("company_sizes", q.company_size, rubric.company_sizes, "company size"),
        ("regions", q.region, rubric.regions, "region"),
    ):
        if targets and value not in targets:
            misses.append(f"{config.label(kind, value)} is not a target {noun}")
    for check in rubric.fit_checks:
        answer = q.fit_answers.get(check.key)
        if answer not in check.counts:
            shown = next((c.label for c in check.choices if c.value == answer), "no answer")
            misses.append(f"{check.label}: {shown} does not fit")
    if misses:
        return False, "; ".join(misses) + "."
    return True, (
        f"{config.label('industries', q.industry)}, {config.label('company_sizes', q.company_size)}"
        f", {config.label('regions', q.region)}: a target account."
    )


def _persona(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    contact_role = config.label("contact_roles", q.contact_role)
    if q.contact_role in rubric.persona_roles:
        return True, f"The contact is the {contact_role.lower()}."
    for person in q.stakeholders:
        if person.role in rubric.persona_roles:
            role = config.label("contact_roles", person.role).lower()
            return True, f"{person.name} is involved as {role}."
    wanted = [config.label("contact_roles", r).lower() for r in _ordered(rubric, config)]
    named = ", ".join(wanted[:-1]) + " or " + wanted[-1] if len(wanted) > 1 else wanted[0]
    return False, f"No {named} involved yet; the contact is: {contact_role.lower()}."


def _ordered(rubric: Rubric, config: Config) -> list[str]:
    return [c.value for c in config.choices["contact_roles"] if c.value in rubric.persona_roles]


def _pain(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    if len(q.pain.strip()) < rubric.pain_min_length:
        return False, f"The pain is described in under {rubric.pain_min_length} characters."
    names = {"current_solution": "what they use today", "trigger": "what triggered it now"}
    lacking = [names[k] for k in rubric.pain_requires if not getattr(q, k).strip()]
    if lacking:
        return False, "Pain described, but not " + " nor ".join(lacking) + "."
    return True, "A described pain" + (
        " with " + " and ".join(names[k] for k in rubric.pain_requires) + "."
        if rubric.pain_requires
        else "."
    )


def _timing(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    label = config.label("timing", q.timing)
    if q.timing in rubric.timing_counts:
        return True, f"Timing: {label}."
    return False, f"Timing is {label.lower()}, outside the window that counts."


def _next_steps(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    label = config.label("next_steps_status", q.next_steps_status)
    if q.next_steps_status in rubric.next_steps_counts and q.next_steps.strip():
        return True, f"{label}."
    if q.next_steps_status in rubric.next_steps_counts:
        return False, "Next steps marked agreed, but not written down."
    return False, f"{label}: no next step both sides agreed to."


def _budget(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    label = config.label("budget_status", q.budget_status)
    return q.budget_status in rubric.budget_counts, f"{label}."


def _intent(q: Qualification, config: Config, rubric: Rubric) -> Judgement:
    signals = [config.label("intent_signals", s) for s in q.intent_signals]
    met = len(signals) >= rubric.intent_min_signals
    if not signals:
        return False, "No intent signals."
    return met, ", ".join(signals) + "."


_JUDGES: dict[str, Callable[[Qualification, Config, Rubric], Judgement]] = {
    "account_fit": _account_fit,
    "persona": _persona,
    "pain": _pain,
    "timing": _timing,
    "next_steps": _next_steps,
    "budget": _budget,
    "intent": _intent,
}
