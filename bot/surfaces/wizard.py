"""The qualification wizard's views: one modal, a step at a time, built from the rubric.

Everything typed lives in the drafts table; the modal's private_metadata holds
only the draft id. Each step names the rubric criteria it feeds, so a new SDR
reads the same definition the best one uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.payloads import WizardState, answers
from bot.surfaces.render import render
from handoff.config import Config
from handoff.model import Field, Qualification, Score
from handoff.qualification import (
    CHOICE_FIELDS,
    MAX_STAKEHOLDERS,
    SHORT_TEXT_MAX,
    TEXT_LIMITS,
    Step,
    steps,
)
from handoff.scoring import may_submit

TITLES = {"new": "New handoff", "edit": "Edit handoff"}
SUBMIT = {"new": "Send to AEs", "edit": "Save changes"}
CHECKBOX_MAX = 10  # Slack's checkboxes element; more options use a multi-select

# Which criteria each step feeds, to explain them where the SDR answers.
STEP_CRITERIA = {
    "fit": ("account_fit",),
    "people": ("persona",),
    "need": ("pain", "timing", "next_steps", "budget", "intent"),
}


@dataclass(frozen=True)
class Question:
    field: str
    label: str
    kind: str  # text | email | datetime | user | choice | many | many_select
    optional: bool = False
    multiline: bool = False
    max_length: int = SHORT_TEXT_MAX
    choices: tuple[Any, ...] = ()
    hint: str = ""
    placeholder: str = ""
    initial: Any = None


def questions(config: Config, step: Step, answers: Mapping[str, Any]) -> list[Question]:
    labels = _labels(config)
    found = []
    for field in step.fields:
        if field == Field.STAKEHOLDERS:
            continue  # a list with Add and Remove buttons, not an input
        label, hint, optional = labels[field]
        initial = answers.get(field)
        if field in TEXT_LIMITS:
            limit = TEXT_LIMITS[Field(field)]
            kind = "email" if field == Field.CONTACT_EMAIL else "text"
            found.append(
                Question(
                    field,
                    label,
                    kind,
                    optional=optional,
                    multiline=limit > SHORT_TEXT_MAX,
                    max_length=limit,
                    hint=hint,
                    placeholder="acme.com" if field == Field.WEBSITE else "",
                    initial=initial,
                )
            )
        elif field == Field.MEETING_AT:
            found.append(Question(field, label, "datetime", initial=initial))
        elif field == Field.SUGGESTED_AE:
            found.append(Question(field, label, "user", optional=True, hint=hint, initial=initial))
        elif field == Field.INTENT_SIGNALS:
            choices = config.choices["intent_signals"]
            kind = "many" if len(choices) <= CHECKBOX_MAX else "many_select"
            found.append(
                Question(
                    field,
                    label,
                    kind,
                    optional=True,
                    choices=choices,
                    hint=hint,
                    initial=initial or [],
                )
            )
        else:
            choices = _choices(config, field)
            found.append(
                Question(field, label, "choice", choices=choices, hint=hint, initial=initial)
            )
    return found


def _choices(config: Config, field: str) -> tuple[Any, ...]:
    if field in CHOICE_FIELDS:
        return config.choices[CHOICE_FIELDS[Field(field)]]
    check = next(c for c in config.rubric.fit_checks if c.field == field)
    return check.choices


def _labels(config: Config) -> dict[str, tuple[str, str, bool]]:
    """Label, hint, optional, per field."""
    found: dict[str, tuple[str, str, bool]] = {
        Field.COMPANY: ("Company", "", False),
        Field.WEBSITE: ("Company website", "", True),
        Field.MEETING_AT: ("Meeting date and time", "", False),
        Field.SOURCE: ("Where the meeting came from", "", False),
        Field.SUGGESTED_AE: (
            "AE to suggest",
            "Mentioned if the brief waits too long; any AE can still take it.",
            True,
        ),
        Field.NOTES: ("Notes for the AE", "", True),
        Field.INDUSTRY: ("Industry", "", False),
        Field.COMPANY_SIZE: ("Company size", "", False),
        Field.REGION: ("Region", "", False),
        Field.CONTACT_NAME: ("Main contact's name", "", False),
        Field.CONTACT_TITLE: ("Their title", "", False),
        Field.CONTACT_EMAIL: ("Their email", "", True),
        Field.CONTACT_ROLE: ("Their role in the decision", "", False),
        Field.PAIN: (
            "Pain or initiative",
            f"What hurts, for whom, and what it costs them "
            f"(at least {config.rubric.pain_min_length} characters).",
            False,
        ),
        Field.CURRENT_SOLUTION: ("What they use today", "", True),
        Field.TRIGGER: ("Why now: what triggered it", "", True),
        Field.TIMING: ("Timing", "", False),
        Field.BUDGET_STATUS: ("Budget status", "", False),
        Field.NEXT_STEPS_STATUS: ("Next steps", "", False),
        Field.NEXT_STEPS: (
            "What both sides agreed to do next",
            "Who does what, by when. Needed when both sides agreed.",
            True,
        ),
        Field.INTENT_SIGNALS: (
            "Intent signals",
            "They raise priority; they do not replace discovery.",
            True,
        ),
    }
    for check in config.rubric.fit_checks:
        found[check.field] = (check.label, "", False)
    return found


def field_label(config: Config, field: str) -> str:
    return _labels(config).get(field, (field, "", False))[0]


def criteria_notes(config: Config, step_key: str) -> list[dict[str, Any]]:
    """The rubric, criterion by criterion, in words (config text: escaped by the template)."""
    rubric = config.rubric

    def names(kind: str, values: frozenset[str]) -> str:
        return ", ".join(c.label for c in config.choices[kind] if c.value in values)

    rules: dict[str, str] = {}
    fit = []
    for kind, values, noun in (
        ("industries", rubric.industries, "industries"),
        ("company_sizes", rubric.company_sizes, "sizes"),
        ("regions", rubric.regions, "regions"),
    ):
        fit.append(f"{noun}: {names(kind, values)}" if values else f"any {noun[:-1]}")
    for check in rubric.fit_checks:
        fit.append(
            f"{check.label.lower()}: "
            + ", ".join(c.label for c in check.choices if c.value in check.counts)
        )
    rules["account_fit"] = "; ".join(fit)
    rules["persona"] = "the contact or another person is: " + names(
        "contact_roles", rubric.persona_roles
    )
    extras = {"current_solution": "what they use today", "trigger": "why now"}
    rules["pain"] = f"at least {rubric.pain_min_length} characters" + "".join(
        f", plus {extras[k]}" for k in rubric.pain_requires
    )
    rules["timing"] = names("timing", rubric.timing_counts)
    rules["next_steps"] = names("next_steps_status", rubric.next_steps_counts) + ", written down"
    rules["budget"] = names("budget_status", rubric.budget_counts) + " (a data point)"
    rules["intent"] = (
        f"at least {rubric.intent_min_signals} signal(s); raises priority, never replaces discovery"
    )
    return [
        {
            "label": rubric.labels[key],
            "share": _share(config, key),
            "rule": rules[key],
            "must": key in rubric.must_meet,
        }
        for key in STEP_CRITERIA.get(step_key, ())
    ]


def _share(config: Config, key: str) -> int:
    return round(100 * config.rubric.weights[key] / config.rubric.total_weight)


def review_model(config: Config, qualification: Qualification, score: Score) -> dict[str, Any]:
    rubric = config.rubric
    return {
        "company": qualification.company,
        "meeting_at": qualification.meeting_at,
        "points": score.points,
        "bar": rubric.bar,
        "clears": score.clears_bar,
        "allowed": may_submit(score, rubric),
        "missing": [rubric.labels[k] for k in score.missing],
        "high_intent": score.high_intent,
        "version": score.rubric_version,
        "results": [
            {
                "label": rubric.labels.get(r.key, r.key),
                "met": r.met,
                "reason": r.reason,
                "must": r.must_meet,
                "share": _share(config, r.key) if r.key in rubric.weights else 0,
            }
            for r in score.results
        ],
    }


def wizard_view(
    config: Config,
    *,
    draft_id: int,
    mode: str,
    step_index: int,
    answers: Mapping[str, Any],
    review: dict[str, Any] | None = None,
    banner: str = "",
    rev: int = 0,
) -> dict[str, Any]:
    all_steps = steps(config)
    step = all_steps[step_index]
    last = step_index == len(all_steps) - 1
    people = None
    if Field.STAKEHOLDERS in step.fields:
        people = [
            {"index": i, **p}
            for i, p in enumerate(answers.get(Field.STAKEHOLDERS) or [])
            if isinstance(p, dict)
        ]
    submit: str | None = "Next"
    if last:
        submit = SUBMIT[mode] if review and review["allowed"] else None
    w = {
        "title": TITLES[mode],
        "step_number": step_index + 1,
        "step_count": len(all_steps),
        "step_title": step.title,
        "banner": banner,
        "criteria": criteria_notes(config, step.key),
        "questions": questions(config, step, answers),
        "people": people,
        "people_full": people is not None and len(people) >= MAX_STAKEHOLDERS,
        "roles": {c.value: c.label for c in config.choices["contact_roles"]},
        "review": review,
        "back": step_index > 0,
        "submit": submit,
        "private_metadata": WizardState(draft_id, step_index, rev).metadata(),
    }
    return render("modals/wizard.json.j2", w=w, ids=ids)


def person_view(state: WizardState, config: Config) -> dict[str, Any]:
    """The pushed form for one more person; it carries the wizard state it was opened from."""
    p = {"roles": config.choices["contact_roles"], "private_metadata": state.metadata()}
    return render("modals/person.json.j2", p=p, ids=ids)


def typed_answers(view: Mapping[str, Any], step: Step) -> dict[str, Any]:
    """What the modal holds for this step's inputs, empty inputs included (they clear)."""
    given = answers(view)
    return {f: given.get(f) for f in step.fields if f != Field.STAKEHOLDERS and f in given}
