"""Meetings booked in a scheduling tool: each tool's webhook body read into one `BookingEvent`.

Pure: a parser takes the JSON the tool sent (already parsed, signature already checked) and
returns the event, None for an event type this bot does not act on (answered 200 and
ignored), or raises `ValueError` with a one-line reason for a body that is not what the
tool documents (answered 400).

A booking has one key in its tool (`key`): the Calendly invitee URI, the Cal.com uid, the
generic body's `id`. A reschedule gives the meeting a new key and names the old one
(`previous_key`), so the same booking is found whichever delivery comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

Quiet = Callable[[datetime], bool]  # handoff.businesstime.BusinessClock.is_quiet

MAX_KEY = 300
MAX_ANSWERS = 20
# Mail providers whose domain says nothing about the company.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
    }
)
# Booking-form questions whose answer is the company's name.
_COMPANY_QUESTION = re.compile(r"\b(company|organi[sz]ation|employer|business)\b", re.I)


class Tool(StrEnum):
    CALENDLY = "calendly"
    CALCOM = "calcom"
    GENERIC = "generic"
    CHILIPIPER = "chilipiper"
    HUBSPOT = "hubspot"


class EventKind(StrEnum):
    CREATED = "created"
    RESCHEDULED = (
        "rescheduled"  # the meeting moved: `key` is the new booking, `previous_key` the old
    )
    CANCELED = "canceled"
    NO_SHOW = "no_show"
    # The tool says what the booking is now, under the same key: kept as new, or moved.
    UPDATED = "updated"


@dataclass(frozen=True)
class BookingEvent:
    tool: Tool
    kind: EventKind
    key: str
    # The delivery's own identity: the same event about the same booking is the same delivery.
    delivery_id: str
    booked_by_email: str = ""
    contact_name: str = ""
    contact_email: str = ""
    company: str = ""
    meeting_at: datetime | None = None
    timezone: str = ""
    source: str = ""
    campaign: str = ""
    event_name: str = ""
    answers: tuple[tuple[str, str], ...] = ()  # the booking form's questions and answers
    previous_key: str = ""  # a reschedule's old booking
    next_key: str = ""  # a cancellation that is the old half of a reschedule: the new booking
    reason: str = ""  # why it was canceled

    @property
    def reschedule(self) -> bool:
        return bool(self.previous_key or self.next_key)


def parse_calendly(body: Mapping[str, Any]) -> BookingEvent | None:
    """Calendly webhook v2 (https://developer.calendly.com/api-docs/ → Webhooks): `event`
    names what happened, `payload` is the invitee. A reschedule sends invitee.canceled for
    the old invitee (`rescheduled: true`, `new_invitee`) and invitee.created for the new one
    (`old_invitee`)."""
    event = _text(body, "event", required=True)
    kinds = {
        "invitee.created": EventKind.CREATED,
        "invitee.canceled": EventKind.CANCELED,
        "invitee_no_show.created": EventKind.NO_SHOW,
    }
    if event not in kinds:
        return None
    payload = _object(body, "payload")
    if event == "invitee_no_show.created" and "invitee" in payload and "uri" not in payload:
        # The no-show object names its invitee by URI only.
        key = _text(payload, "invitee", required=True)
        return BookingEvent(Tool.CALENDLY, EventKind.NO_SHOW, _key(key), f"{event}:{key}")
    key = _key(_text(payload, "uri", required=True, where="payload"))
    scheduled = _object(payload, "scheduled_event", where="payload")
    tracking = _optional_object(payload, "tracking")
    hosts = scheduled.get("event_memberships") or []
    if not isinstance(hosts, list):
        raise ValueError("payload.scheduled_event.event_memberships is not a list")
    host_email = next(
        (
            str(h["user_email"])
            for h in hosts
            if isinstance(h, Mapping) and isinstance(h.get("user_email"), str)
        ),
        "",
    )
    answers = _calendly_answers(payload.get("questions_and_answers"))
    email = _text(payload, "email").lower()
    kind = kinds[event]
    next_key = ""
    if kind == EventKind.CANCELED and payload.get("rescheduled") is True:
        next_key = _text(payload, "new_invitee")
    previous_key = _text(payload, "old_invitee") if kind == EventKind.CREATED else ""
    if previous_key:
        kind = EventKind.RESCHEDULED
    cancellation = _optional_object(payload, "cancellation")
    return BookingEvent(
        tool=Tool.CALENDLY,
        kind=kind,
        key=key,
        delivery_id=f"{event}:{key}",
        booked_by_email=host_email.lower(),
        contact_name=_text(payload, "name"),
        contact_email=email,
        company=company_of(email, answers),
        meeting_at=_time(scheduled, "start_time", where="payload.scheduled_event"),
        timezone=_text(payload, "timezone"),
        source=_text(tracking, "utm_source"),
        campaign=_text(tracking, "utm_campaign"),
        event_name=_text(scheduled, "name"),
        answers=answers,
        previous_key=_key(previous_key) if previous_key else "",
        next_key=_key(next_key) if next_key else "",
        reason=_text(cancellation, "reason"),
    )


def parse_calcom(body: Mapping[str, Any]) -> BookingEvent | None:
    """Cal.com webhooks (https://cal.com/docs/developing/guides/automation/webhooks):
    `triggerEvent`, and `payload` the booking: `uid`, `startTime`, `organizer`,
    `attendees`, `responses` (the booking form, by field: {label, value}); a reschedule
    carries the old booking's uid in `rescheduleUid`."""
    event = _text(body, "triggerEvent", required=True)
    kinds = {
        "BOOKING_CREATED": EventKind.CREATED,
        "BOOKING_RESCHEDULED": EventKind.RESCHEDULED,
        "BOOKING_CANCELLED": EventKind.CANCELED,
    }
    if event not in kinds:
        return None
    payload = _object(body, "payload")
    key = _key(_text(payload, "uid", required=True, where="payload"))
    organizer = _optional_object(payload, "organizer")
    attendees = payload.get("attendees") or []
    if not isinstance(attendees, list):
        raise ValueError("payload.attendees is not a list")
    first = next((a for a in attendees if isinstance(a, Mapping)), {})
    answers = _calcom_answers(payload.get("responses"))
    email = _text(first, "email").lower()
    metadata = _optional_object(payload, "metadata")
    previous = _text(payload, "rescheduleUid") or _text(payload, "fromReschedule")
    kind = kinds[event]
    return BookingEvent(
        tool=Tool.CALCOM,
        kind=kind,
        key=key,
        delivery_id=f"{event}:{key}",
        booked_by_email=_text(organizer, "email").lower(),
        contact_name=_text(first, "name"),
        contact_email=email,
        company=company_of(email, answers),
        meeting_at=_time(payload, "startTime", where="payload"),
        timezone=_text(first, "timeZone"),
        source=_text(metadata, "utm_source"),
        campaign=_text(metadata, "utm_campaign"),
        event_name=_text(payload, "type") or _text(payload, "title"),
        answers=answers,
        previous_key=_key(previous) if previous and kind == EventKind.RESCHEDULED else "",
        reason=_text(payload, "cancellationReason"),
    )


def parse_generic(body: Mapping[str, Any]) -> BookingEvent | None:
    """The documented generic body (docs/meeting-booked.schema.json), for Zapier, Make and
    in-house tools: `event` (booked, rescheduled, canceled, no_show), `id`, `booked_by`,
    `contact`, `meeting`, and optional `previous_id`, `company`, `source`, `campaign`,
    `answers`."""
    event = _text(body, "event", required=True)
    kinds = {
        "booked": EventKind.CREATED,
        "rescheduled": EventKind.RESCHEDULED,
        "canceled": EventKind.CANCELED,
        "no_show": EventKind.NO_SHOW,
    }
    if event not in kinds:
        return None
    key = _key(_text(body, "id", required=True))
    kind = kinds[event]
    contact = _object(body, "contact") if kind != EventKind.CANCELED else {}
    meeting = _optional_object(body, "meeting")
    raw_answers = body.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise ValueError("answers is not an object")
    answers = tuple(
        (str(q)[:200], str(a)[:1000])
        for q, a in list(raw_answers.items())[:MAX_ANSWERS]
        if isinstance(a, str | int | float) and str(a).strip()
    )
    email = _text(contact, "email").lower()
    previous = _text(body, "previous_id")
    if kind == EventKind.RESCHEDULED and not previous:
        raise ValueError("a rescheduled event needs previous_id")
    at = (
        _time(meeting, "start", where="meeting")
        if kind in (EventKind.CREATED, EventKind.RESCHEDULED)
        else None
    )
    return BookingEvent(
        tool=Tool.GENERIC,
        kind=kind,
        key=key,
        delivery_id=f"{event}:{key}",
        booked_by_email=_text(body, "booked_by", required=kind == EventKind.CREATED).lower(),
        contact_name=_text(contact, "name"),
        contact_email=email,
        company=_text(body, "company") or company_of(email, answers),
        meeting_at=at,
        timezone=_text(meeting, "timezone"),
        source=_text(body, "source"),
        campaign=_text(body, "campaign"),
        event_name=_text(meeting, "name"),
        answers=answers,
        previous_key=_key(previous) if previous else "",
    )


def parse_chilipiper(body: Mapping[str, Any]) -> BookingEvent | None:
    """Chili Piper's custom webhooks (Admin Center → Integrations → Custom Webhooks): one
    flat meeting object, `type` Created, Updated (rescheduled or reassigned) or Deleted,
    keyed by `meetingIdChili`; the prospect is the primary guest, whose form answers are
    `primaryGuestDataFields`."""
    event = _text(body, "type", required=True)
    kinds = {"Created": EventKind.CREATED, "Updated": EventKind.UPDATED}
    kinds["Deleted"] = kinds["Canceled"] = kinds["Cancelled"] = EventKind.CANCELED
    if event not in kinds:
        return None
    key = _key(_text(body, "meetingIdChili", required=True))
    kind = kinds[event]
    answers = _plain_answers(body.get("primaryGuestDataFields"), "primaryGuestDataFields")
    email = _text(body, "primaryGuestEmail").lower()
    at = _time(body, "start", where="") if kind != EventKind.CANCELED else None
    booker = _text(body, "bookerEmail") or _text(body, "assigneeEmail") or _text(body, "hostEmail")
    host = _text(body, "assigneeEmail") or _text(body, "hostEmail")
    return BookingEvent(
        tool=Tool.CHILIPIPER,
        kind=kind,
        key=key,
        # An update is a new delivery each time the meeting changes (time or host).
        delivery_id=f"{event}:{key}:{at.isoformat() if at else ''}:{host}"[:300],
        booked_by_email=booker.lower(),
        contact_name=_text(body, "primaryGuestName"),
        contact_email=email,
        company=company_of(email, answers),
        meeting_at=at,
        timezone=_text(body, "primaryGuestTimeZone"),
        event_name=_text(body, "meetingTypeName") or _text(body, "title"),
        answers=answers,
        reason=_text(body, "cancelReason"),
    )


def parse_hubspot(body: Mapping[str, Any]) -> BookingEvent | None:
    """A HubSpot meeting-based workflow's "Send a webhook" (docs/booking.md): the meeting's
    properties, flat or under `properties` (a value may be {"value": …}): `hs_object_id`,
    `hs_meeting_start_time`, `hs_meeting_outcome`, `hs_meeting_title`, and the keys the
    workflow adds: `booked_by_email` (the meeting owner's email), `contact_email`,
    `contact_name`, `company`, `source`, `campaign`."""
    raw = body.get("properties")
    props = _hubspot_flat(raw if isinstance(raw, Mapping) else body)
    key = _key(props.get("hs_object_id") or _hubspot_id(body))
    if not key:
        raise ValueError("hs_object_id is missing")
    outcome = props.get("hs_meeting_outcome", "").upper()
    kind = {"CANCELED": EventKind.CANCELED, "NO_SHOW": EventKind.NO_SHOW}.get(
        outcome, EventKind.UPDATED
    )
    at = None
    if kind == EventKind.UPDATED:
        if not props.get("hs_meeting_start_time"):
            raise ValueError("hs_meeting_start_time is missing")
        at = _hubspot_time(props["hs_meeting_start_time"])
    email = props.get("contact_email", "").lower()
    return BookingEvent(
        tool=Tool.HUBSPOT,
        kind=kind,
        key=key,
        delivery_id=f"{outcome}:{key}:{at.isoformat() if at else ''}"[:300],
        booked_by_email=props.get("booked_by_email", "").lower(),
        contact_name=props.get("contact_name", ""),
        contact_email=email,
        company=props.get("company", "")[:150] or company_of(email),
        meeting_at=at,
        source=props.get("source", ""),
        campaign=props.get("campaign", ""),
        event_name=props.get("hs_meeting_title", ""),
    )


PARSERS = {
    Tool.CALENDLY: parse_calendly,
    Tool.CALCOM: parse_calcom,
    Tool.GENERIC: parse_generic,
    Tool.CHILIPIPER: parse_chilipiper,
    Tool.HUBSPOT: parse_hubspot,
}


def parse(tool: Tool, body: object) -> BookingEvent | None:
    if not isinstance(body, Mapping):
        raise ValueError("the body is not a JSON object")
    return PARSERS[tool](body)


def company_of(email: str, answers: tuple[tuple[str, str], ...] = ()) -> str:
    """The company: a form answer that asks for it, else the email's domain made a name
    ("dana@acme-robotics.com" → "Acme Robotics"); nothing for a free mail provider."""
    for question, answer in answers:
        if _COMPANY_QUESTION.search(question) and answer.strip():
            return answer.strip()[:150]
    domain = email.rpartition("@")[2].lower()
    if not domain or domain in FREE_MAIL or "." not in domain:
        return ""
    labels = domain.split(".")
    # The registrable name: the label before the suffix ("acme" in acme.co.uk too).
    name = labels[-3] if len(labels) >= 3 and len(labels[-2]) <= 3 else labels[-2]
    return " ".join(part.capitalize() for part in re.split(r"[-_]", name) if part)


def prefill(
    *,
    company: str,
    contact_name: str,
    contact_email: str,
    meeting_at: datetime | None,
    source: str,
    campaign: str,
    tool: str,
    event_name: str,
    answers: Mapping[str, str],
    sources: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    """The wizard's first answers from a booking. `sources` are the team's source choices
    (key → label): the UTM source picks one when it names it, else a booking counts as an
    inbound demo when the team has that choice. Campaign, tool and the form's answers go
    into the notes."""
    out: dict[str, Any] = {
        "company": company,
        "contact_name": contact_name,
        "contact_email": contact_email,
    }
    domain = contact_email.rpartition("@")[2].lower()
    if domain and domain not in FREE_MAIL and "." in domain:
        out["website"] = domain
    if meeting_at is not None and meeting_at > now:
        out["meeting_at"] = int(meeting_at.timestamp())
    picked = _source_choice(source, sources)
    if picked:
        out["source"] = picked
    notes = [f"Booked in {tool}" + (f" ({event_name})" if event_name else "") + "."]
    if source or campaign:
        notes.append(
            "UTM: "
            + ", ".join(f"{k} {v}" for k, v in (("source", source), ("campaign", campaign)) if v)
        )
    notes += [f"{q}: {a}" for q, a in answers.items()]
    out["notes"] = "\n".join(notes)
    return out


def _source_choice(source: str, sources: Mapping[str, str]) -> str:
    wanted = re.sub(r"[^a-z0-9]+", "_", source.lower()).strip("_")
    for key, label in sources.items():
        if wanted and wanted in (key, re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")):
            return key
    return "inbound_demo" if "inbound_demo" in sources else ""


def _plain_answers(raw: object, where: str) -> tuple[tuple[str, str], ...]:
    """Form answers given as one object of field → value."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} is not an object")
    return tuple(
        (str(q).strip()[:200], str(a).strip()[:1000])
        for q, a in list(raw.items())[:MAX_ANSWERS]
        if isinstance(a, str | int | float) and not isinstance(a, bool) and str(a).strip()
    )


def _hubspot_flat(props: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for name, value in props.items():
        if isinstance(value, Mapping):
            value = value.get("value")
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            out[str(name)] = str(value).strip()
    return out


def _hubspot_id(body: Mapping[str, Any]) -> str:
    value = body.get("objectId")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _hubspot_time(value: str) -> datetime:
    """HubSpot gives a datetime property as milliseconds since the epoch, or ISO 8601."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    return _time({"hs_meeting_start_time": value}, "hs_meeting_start_time", where="")


def _calendly_answers(raw: object) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("payload.questions_and_answers is not a list")
    out = []
    for item in raw[:MAX_ANSWERS]:
        if not isinstance(item, Mapping):
            raise ValueError("payload.questions_and_answers holds something that is not an object")
        question, answer = item.get("question"), item.get("answer")
        if isinstance(question, str) and isinstance(answer, str) and answer.strip():
            out.append((question.strip()[:200], answer.strip()[:1000]))
    return tuple(out)


def _calcom_answers(raw: object) -> tuple[tuple[str, str], ...]:
    """Cal.com's `responses`: {field: {label, value}} (or a bare value); name and email
    are the attendee's and not repeated."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ValueError("payload.responses is not an object")
    out = []
    for name, item in list(raw.items())[: MAX_ANSWERS + 2]:
        if name in ("name", "email"):
            continue
        label, value = str(name), item
        if isinstance(item, Mapping):
            label = str(item.get("label") or name)
            value = item.get("value")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str | int | float) and str(value).strip():
            out.append((label.strip()[:200], str(value).strip()[:1000]))
    return tuple(out[:MAX_ANSWERS])


def _object(body: Mapping[str, Any], name: str, *, where: str = "") -> Mapping[str, Any]:
    value = body.get(name)
    if not isinstance(value, Mapping):
        raise ValueError(f"{_path(where, name)} is missing or not an object")
    return value


def _optional_object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    return value if isinstance(value, Mapping) else {}


def _text(body: Mapping[str, Any], name: str, *, required: bool = False, where: str = "") -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ValueError(f"{_path(where, name)} is missing")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{_path(where, name)} is not a string")
    return value.strip()


def _key(value: str) -> str:
    if len(value) > MAX_KEY:
        raise ValueError(f"a booking id is longer than {MAX_KEY} characters")
    return value


def _time(body: Mapping[str, Any], name: str, *, where: str) -> datetime:
    text = _text(body, name, required=True, where=where)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{_path(where, name)} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise ValueError(f"{_path(where, name)} has no time zone offset")
    return at.astimezone(UTC)


def _path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


QUIET_STEP = timedelta(minutes=15)
MAX_QUIET_STEPS = 4 * 24 * 14  # two weeks of steps: a policy always has working hours


def reminder_time(
    meeting_at: datetime | None, *, now: datetime, hours_before: int, quiet: Quiet
) -> datetime | None:
    """When to remind the SDR of a booking still unqualified: `hours_before` the meeting,
    moved earlier out of quiet hours and days off (a Monday 09:00 meeting is reminded on
    Friday afternoon, not on Sunday night); at once when that is already past and now is
    not quiet, else at the end of the quiet spell if the meeting is still ahead. None when
    there is nothing to remind of."""
    if hours_before <= 0 or meeting_at is None or meeting_at <= now:
        return None
    at = meeting_at - timedelta(hours=hours_before)
    for _ in range(MAX_QUIET_STEPS):
        if at <= now or not quiet(at):
            break
        at -= QUIET_STEP
    if at > now:
        return at
    at = now
    for _ in range(MAX_QUIET_STEPS):
        if at >= meeting_at:
            return None
        if not quiet(at):
            return at
        at += QUIET_STEP
    return None
