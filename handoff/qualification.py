"""Turning what an SDR typed into a validated qualification, or errors per field.

Answers are keyed by field name (`Field` values, plus `fit_<check>` for the
rubric's extra fit checks). Each message says what to do, on the field it is
about, so the wizard can show it under the right input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from handoff.config import Config
from handoff.model import Field, Qualification, Stakeholder
from handoff.rubric import Choice

MAX_STAKEHOLDERS = 10
SHORT_TEXT_MAX = 150
MEDIUM_TEXT_MAX = 1000
LONG_TEXT_MAX = 3000  # Slack's plain_text_input ceiling
EMAIL_MAX = 254
WEBSITE_MAX = 300
MEETING_HORIZON = timedelta(days=366)
# A meeting that started a few minutes ago is still being booked, not in the past.
PAST_TOLERANCE = timedelta(minutes=15)

CHOICE_FIELDS: dict[Field, str] = {
    Field.SOURCE: "sources",
    Field.INDUSTRY: "industries",
    Field.COMPANY_SIZE: "company_sizes",
    Field.REGION: "regions",
    Field.CONTACT_ROLE: "contact_roles",
    Field.TIMING: "timing",
    Field.BUDGET_STATUS: "budget_status",
    Field.NEXT_STEPS_STATUS: "next_steps_status",
}
TEXT_LIMITS: dict[Field, int] = {
    Field.COMPANY: SHORT_TEXT_MAX,
    Field.CONTACT_NAME: SHORT_TEXT_MAX,
    Field.CONTACT_TITLE: SHORT_TEXT_MAX,
    Field.PAIN: LONG_TEXT_MAX,
    Field.CURRENT_SOLUTION: MEDIUM_TEXT_MAX,
    Field.TRIGGER: MEDIUM_TEXT_MAX,
    Field.NEXT_STEPS: LONG_TEXT_MAX,
    Field.NOTES: LONG_TEXT_MAX,
    Field.CONTACT_EMAIL: EMAIL_MAX,
    Field.WEBSITE: WEBSITE_MAX,
}
REQUIRED_TEXT = (Field.COMPANY, Field.CONTACT_NAME, Field.CONTACT_TITLE, Field.PAIN)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_HOST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z][a-z0-9-]+$")


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Invalid:
    errors: dict[str, str]


def steps(config: Config) -> tuple[Step, ...]:
    """The wizard's steps, in order; the rubric's fit checks join the account-fit step."""
    fit_checks = tuple(c.field for c in config.rubric.fit_checks)
    return (
        Step(
            "meeting",
            "Meeting and source",
            (
                Field.COMPANY,
                Field.WEBSITE,
                Field.MEETING_AT,
                Field.SOURCE,
                Field.SUGGESTED_AE,
                Field.NOTES,
            ),
        ),
        Step("fit", "Account fit", (Field.INDUSTRY, Field.COMPANY_SIZE, Field.REGION, *fit_checks)),
        Step(
            "people",
            "People",
            (
                Field.CONTACT_NAME,
                Field.CONTACT_TITLE,
                Field.CONTACT_EMAIL,
                Field.CONTACT_ROLE,
                Field.STAKEHOLDERS,
            ),
        ),
        Step(
            "need",
            "Need, timing and next steps",
            (
                Field.PAIN,
                Field.CURRENT_SOLUTION,
                Field.TRIGGER,
                Field.TIMING,
                Field.BUDGET_STATUS,
                Field.NEXT_STEPS_STATUS,
                Field.NEXT_STEPS,
                Field.INTENT_SIGNALS,
            ),
        ),
        Step("review", "Review", ()),
    )


def step_errors(
    answers: Mapping[str, object], step: Step, config: Config, now: datetime
) -> dict[str, str]:
    """The errors on one step's fields; other steps may still be unanswered."""
    result = validate(answers, config, now)
    if isinstance(result, Qualification):
        return {}
    return {k: v for k, v in result.errors.items() if k in step.fields}


def validate(
    answers: Mapping[str, object], config: Config, now: datetime
) -> Qualification | Invalid:
    """Check every answer; return the qualification or one message per bad field."""
    errors: dict[str, str] = {}
    text = {f: _text(answers.get(f)) for f in TEXT_LIMITS}
    for f, limit in TEXT_LIMITS.items():
        if len(text[f]) > limit:
            errors[f] = f"Keep it under {limit:,} characters ({len(text[f]):,} now)."
        elif f in REQUIRED_TEXT and not text[f]:
            errors[f] = "Required."

    min_pain = config.rubric.pain_min_length
    if Field.PAIN not in errors and len(text[Field.PAIN]) < min_pain:
        errors[Field.PAIN] = (
            f"Describe the pain or initiative in at least {min_pain} characters: "
            "what hurts, for whom, and what they do about it today."
        )

    picked: dict[str, str] = {}
    for f, kind in CHOICE_FIELDS.items():
        _pick(answers.get(f), f, config.choices[kind], picked, errors)
    fit_answers: dict[str, str] = {}
    for check in config.rubric.fit_checks:
        _pick(answers.get(check.field), check.field, check.choices, picked, errors)
        if check.field in picked:
            fit_answers[check.key] = picked[check.field]

    status = picked.get(Field.NEXT_STEPS_STATUS)
    if (
        status in config.rubric.next_steps_counts
        and not text[Field.NEXT_STEPS]
        and Field.NEXT_STEPS not in errors
    ):
        errors[Field.NEXT_STEPS] = "Write down the next step both sides agreed to."

    email = text[Field.CONTACT_EMAIL]
    if Field.CONTACT_EMAIL not in errors and email and not _EMAIL.match(email):
        errors[Field.CONTACT_EMAIL] = (
            "That is not an email address. Use name@company.com, or leave it empty."
        )
    website = ""
    if Field.WEBSITE not in errors and text[Field.WEBSITE]:
        website = normalize_website(text[Field.WEBSITE])
        if not website:
            errors[Field.WEBSITE] = (
                "That is not a website. Use acme.com or https://acme.com, or leave it empty."
            )

    suggested = answers.get(Field.SUGGESTED_AE) or None
    if suggested is not None and not (isinstance(suggested, str) and _SLACK_USER.match(suggested)):
        errors[Field.SUGGESTED_AE] = "Pick a person from the list, or leave it empty."
    signals = _signals(answers.get(Field.INTENT_SIGNALS), config, errors)
    meeting_at = _meeting_time(answers.get(Field.MEETING_AT), now, errors)
    people = _stakeholders(answers.get(Field.STAKEHOLDERS), config, errors)

    if errors or meeting_at is None:
        return Invalid(errors)
    return Qualification(
        company=text[Field.COMPANY],
        meeting_at=meeting_at,
        industry=picked[Field.INDUSTRY],
        company_size=picked[Field.COMPANY_SIZE],
        region=picked[Field.REGION],
        contact_name=text[Field.CONTACT_NAME],
        contact_title=text[Field.CONTACT_TITLE],
        contact_role=picked[Field.CONTACT_ROLE],
        pain=text[Field.PAIN],
        timing=picked[Field.TIMING],
        budget_status=picked[Field.BUDGET_STATUS],
        next_steps=text[Field.NEXT_STEPS],
        source=picked[Field.SOURCE],
        stakeholders=people,
        notes=text[Field.NOTES],
        contact_email=text[Field.CONTACT_EMAIL],
        website=website,
        current_solution=text[Field.CURRENT_SOLUTION],
        trigger=text[Field.TRIGGER],
        next_steps_status=picked[Field.NEXT_STEPS_STATUS],
        intent_signals=signals,
        fit_answers=fit_answers,
        suggested_ae_id=suggested if isinstance(suggested, str) else None,
    )


def answers_of(q: Qualification) -> dict[str, object]:
    """A stored qualification back as wizard answers, to edit it."""
    answers: dict[str, object] = {
        f.value: getattr(q, f.value)
        for f in (*TEXT_LIMITS, *CHOICE_FIELDS)
        if getattr(q, f.value, None)
    }
    answers[Field.MEETING_AT] = int(q.meeting_at.timestamp())
    answers[Field.INTENT_SIGNALS] = list(q.intent_signals)
    answers[Field.STAKEHOLDERS] = [
        {"name": s.name, "title": s.title, "role": s.role} for s in q.stakeholders
    ]
    for key, value in q.fit_answers.items():
        answers[f"fit_{key}"] = value
    if q.suggested_ae_id:
        answers[Field.SUGGESTED_AE] = q.suggested_ae_id
    return answers


def person_errors(person: Mapping[str, object], config: Config) -> dict[str, str]:
    """Errors for one stakeholder being added, keyed by name | title | role."""
    errors: dict[str, str] = {}
    for key, label in (("name", "their name"), ("title", "their title")):
        value = _text(person.get(key))
        if not value:
            errors[key] = f"Give {label}."
        elif len(value) > SHORT_TEXT_MAX:
            errors[key] = f"Keep it under {SHORT_TEXT_MAX} characters ({len(value)} now)."
    role = person.get("role")
    if role not in (None, "") and not (isinstance(role, str) and config.has("contact_roles", role)):
        errors["role"] = "That role is no longer offered; pick another."
    return errors


def normalize_website(raw: str) -> str:
    """`acme.com` → `https://acme.com`; "" when it is not a plausible web address."""
    if any(c.isspace() for c in raw):
        return ""
    candidate = raw if "://" in raw else "https://" + raw
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower()
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not _HOST.match(host):
        return ""
    return candidate


def _text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _pick(
    value: object,
    field: str,
    choices: tuple[Choice, ...],
    picked: dict[str, str],
    errors: dict[str, str],
) -> None:
    if not isinstance(value, str) or not value:
        errors[field] = "Pick one."
    elif not any(c.value == value for c in choices):
        errors[field] = "That choice is no longer offered; pick another."
    else:
        picked[field] = value


def _signals(raw: object, config: Config, errors: dict[str, str]) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else []
    known = {c.value for c in config.choices["intent_signals"]}
    if any(v not in known for v in values):
        errors[Field.INTENT_SIGNALS] = "One of these signals is no longer offered; tick again."
        return ()
    return tuple(dict.fromkeys(str(v) for v in values))


def _meeting_time(raw: object, now: datetime, errors: dict[str, str]) -> datetime | None:
    if raw is None or raw == "":
        errors[Field.MEETING_AT] = "Pick the meeting's date and time."
        return None
    try:
        at = datetime.fromtimestamp(int(str(raw)), tz=UTC)
    except (ValueError, OverflowError, OSError):
        errors[Field.MEETING_AT] = "That is not a date and time; pick one again."
        return None
    if at < now - PAST_TOLERANCE:
        errors[Field.MEETING_AT] = "That time is in the past; pick when the meeting will happen."
        return None
    if at > now + MEETING_HORIZON:
        errors[Field.MEETING_AT] = "That is more than a year away; check the date."
        return None
    return at


def _stakeholders(raw: object, config: Config, errors: dict[str, str]) -> tuple[Stakeholder, ...]:
    people = raw if isinstance(raw, list) else []
    if len(people) > MAX_STAKEHOLDERS:
        errors[Field.STAKEHOLDERS] = f"List at most {MAX_STAKEHOLDERS} people; remove some."
        return ()
    found = []
    for number, person in enumerate(people, start=1):
        problems = person_errors(person, config) if isinstance(person, dict) else {"name": "?"}
        if problems:
            errors[Field.STAKEHOLDERS] = f"Person {number}: {next(iter(problems.values()))}"
            return ()
        role = person.get("role") or None
        found.append(Stakeholder(_text(person["name"]), _text(person["title"]), role))
    return tuple(found)
