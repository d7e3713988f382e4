"""Turning what an SDR typed into a validated qualification, or errors per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from handoff.config import Config
from handoff.model import Field, Qualification, Stakeholder

MAX_STAKEHOLDERS = 10
SHORT_TEXT_MAX = 150
LONG_TEXT_MAX = 3000  # Slack's plain_text_input ceiling
MEETING_HORIZON = timedelta(days=366)
# A meeting that started a few minutes ago is still being booked, not in the past.
PAST_TOLERANCE = timedelta(minutes=15)

CHOICE_FIELDS: dict[Field, str] = {
    Field.INDUSTRY: "industries",
    Field.COMPANY_SIZE: "company_sizes",
    Field.REGION: "regions",
    Field.CONTACT_ROLE: "contact_roles",
    Field.TIMING: "timing",
    Field.BUDGET_STATUS: "budget_status",
    Field.SOURCE: "sources",
}
SHORT_FIELDS = (Field.COMPANY, Field.CONTACT_NAME, Field.CONTACT_TITLE)
LONG_FIELDS = (Field.PAIN, Field.NEXT_STEPS)


@dataclass(frozen=True)
class Invalid:
    errors: dict[Field, str]


def validate(
    answers: Mapping[Field, object], config: Config, now: datetime
) -> Qualification | Invalid:
    """Check every answer; return the qualification or one message per bad field."""
    errors: dict[Field, str] = {}
    text: dict[Field, str] = {}

    for f in (*SHORT_FIELDS, *LONG_FIELDS, Field.NOTES, Field.STAKEHOLDERS):
        raw = answers.get(f)
        text[f] = raw.strip() if isinstance(raw, str) else ""
    for f in SHORT_FIELDS:
        if not text[f]:
            errors[f] = "Required."
        elif len(text[f]) > SHORT_TEXT_MAX:
            errors[f] = f"Keep it under {SHORT_TEXT_MAX} characters ({len(text[f])} now)."
    for f in (*LONG_FIELDS, Field.NOTES):
        if len(text[f]) > LONG_TEXT_MAX:
            errors[f] = f"Keep it under {LONG_TEXT_MAX} characters ({len(text[f])} now)."
    for f in LONG_FIELDS:
        if not text[f]:
            errors[f] = "Required."
    if Field.PAIN not in errors and len(text[Field.PAIN]) < config.pain_min_length:
        errors[Field.PAIN] = (
            f"Describe the pain or initiative in at least {config.pain_min_length} characters: "
            "what hurts, for whom, and what they do about it today."
        )

    picked: dict[Field, str] = {}
    for f, kind in CHOICE_FIELDS.items():
        value = answers.get(f)
        if not isinstance(value, str) or not value:
            errors[f] = "Pick one."
        elif not config.has(kind, value):
            errors[f] = "That choice is no longer offered; pick another."
        else:
            picked[f] = value

    meeting_at = _meeting_time(answers.get(Field.MEETING_AT), now, errors)
    stakeholders = _stakeholders(text[Field.STAKEHOLDERS], config, errors)

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
        stakeholders=stakeholders,
        notes=text[Field.NOTES],
    )


def _meeting_time(raw: object, now: datetime, errors: dict[Field, str]) -> datetime | None:
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


def _stakeholders(raw: str, config: Config, errors: dict[Field, str]) -> tuple[Stakeholder, ...]:
    """One stakeholder per line: `Name, Title, Role` (role optional)."""
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > MAX_STAKEHOLDERS:
        errors[Field.STAKEHOLDERS] = f"List at most {MAX_STAKEHOLDERS} people (one per line)."
        return ()
    roles = {c.value: c.value for c in config.choices["contact_roles"]}
    roles.update({c.label.lower(): c.value for c in config.choices["contact_roles"]})
    people = []
    for number, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2 or len(parts) > 3 or not parts[0] or not parts[1]:
            errors[Field.STAKEHOLDERS] = (
                f"Line {number}: write `Name, Title` or `Name, Title, Role`."
            )
            return ()
        if any(len(p) > SHORT_TEXT_MAX for p in parts):
            errors[Field.STAKEHOLDERS] = f"Line {number}: keep each part under 150 characters."
            return ()
        role = None
        if len(parts) == 3 and parts[2]:
            role = roles.get(parts[2].lower()) or roles.get(parts[2].lower().replace(" ", "_"))
            if role is None:
                known = ", ".join(c.label for c in config.choices["contact_roles"])
                errors[Field.STAKEHOLDERS] = f"Line {number}: role must be one of: {known}."
                return ()
        people.append(Stakeholder(name=parts[0], title=parts[1], role=role))
    return tuple(people)
