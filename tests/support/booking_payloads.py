"""Webhook bodies in each booking tool's documented shape, and signed as the tool signs them.

Calendly: webhook payload v2, https://developer.calendly.com/api-docs/ (Webhooks →
"Webhook payload"); reschedules: https://developer.calendly.com/see-how-webhook-payloads-
change-when-invitees-reschedule-events; signing: https://developer.calendly.com/api-docs/
(Webhook signatures: `Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t." +
body>`).
Cal.com: https://cal.com/docs/developing/guides/automation/webhooks (payload and the
`X-Cal-Signature-256` hex HMAC-SHA256 of the body).
Chili Piper: Custom Webhook Configuration (help.chilipiper.com, "Webhook Request Body
(Schema)"): one flat meeting object, `type` Created | Updated | Deleted; not signed.
HubSpot: a workflow's "Send a webhook" with request signatures (developers.hubspot.com,
"Validating requests", v3: base64 HMAC-SHA256 of method + URI + body + timestamp).
Generic: docs/meeting-booked.schema.json in this repository.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

CALENDLY_KEY = "calendly-signing-key"
CALCOM_SECRET = "calcom-secret"
GENERIC_SECRET = "generic-secret"
CHILI_TOKEN = "chili-token-0123456789abcdefghijklmnopqrstuv"
HUBSPOT_SECRET = "hubspot-client-secret"
SDR_EMAIL = "ann@ourco.example"
ORG = "https://api.calendly.com/organizations/AAAAAAAAAAAAAAAA"


def meeting_time(days: int = 2) -> datetime:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    return start.replace(hour=15)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def calendly_invitee(
    event: str = "invitee.created",
    *,
    invitee: str = "https://api.calendly.com/scheduled_events/EV1/invitees/INV1",
    start: datetime | None = None,
    host_email: str = SDR_EMAIL,
    rescheduled: bool = False,
    old_invitee: str | None = None,
    new_invitee: str | None = None,
) -> dict[str, Any]:
    """An invitee webhook as Calendly documents it (fields this bot does not read kept, so
    the parser is tested against the whole shape)."""
    start = start or meeting_time()
    canceled = event == "invitee.canceled"
    event_uri = invitee.split("/invitees/")[0]
    return {
        "created_at": _iso(datetime.now(UTC)),
        "created_by": "https://api.calendly.com/users/AAAAAAAAAAAAAAAA",
        "event": event,
        "payload": {
            "cancel_url": "https://calendly.com/cancellations/AAAAAAAAAAAAAAAA",
            "created_at": _iso(datetime.now(UTC)),
            "email": "dana@acme-robotics.com",
            "event": event_uri,
            "first_name": None,
            "last_name": None,
            "name": "Dana Whitfield",
            "new_invitee": new_invitee,
            "no_show": None,
            "old_invitee": old_invitee,
            "payment": None,
            "questions_and_answers": [
                {"answer": "Downtime on two lines", "position": 0, "question": "What brings you?"},
                {"answer": "Acme Robotics", "position": 1, "question": "Company name"},
            ],
            "reconfirmation": None,
            "reschedule_url": "https://calendly.com/reschedulings/AAAAAAAAAAAAAAAA",
            "rescheduled": rescheduled,
            "routing_form_submission": None,
            "scheduled_event": {
                "created_at": _iso(datetime.now(UTC)),
                "end_time": _iso(start + timedelta(minutes=30)),
                "event_guests": [],
                "event_memberships": [
                    {"user": "https://api.calendly.com/users/SDR1", "user_email": host_email}
                ],
                "event_type": "https://api.calendly.com/event_types/GBGBDCAADAEDCRZ2",
                "invitees_counter": {"active": 1, "limit": 1, "total": 1},
                "location": {"type": "zoom", "join_url": "https://zoom.example/j/1"},
                "name": "Discovery call",
                "start_time": _iso(start),
                "status": "canceled" if canceled else "active",
                "updated_at": _iso(datetime.now(UTC)),
                "uri": event_uri,
            },
            "status": "canceled" if canceled else "active",
            "text_reminder_number": None,
            "timezone": "America/New_York",
            "tracking": {
                "utm_campaign": "q4-robotics",
                "utm_source": "linkedin",
                "utm_medium": "social",
                "utm_content": None,
                "utm_term": None,
                "salesforce_uuid": None,
            },
            "updated_at": _iso(datetime.now(UTC)),
            "uri": invitee,
            "cancellation": (
                {"canceled_by": "Dana Whitfield", "reason": "moved", "canceler_type": "invitee"}
                if canceled
                else None
            ),
        },
    }


def calcom_booking(
    trigger: str = "BOOKING_CREATED",
    *,
    uid: str = "bFJeNb2uX8ANpT3JL5EfXw",
    start: datetime | None = None,
    organizer: str = SDR_EMAIL,
    reschedule_uid: str | None = None,
) -> dict[str, Any]:
    start = start or meeting_time()
    payload: dict[str, Any] = {
        "bookerUrl": "https://cal.com",
        "type": "discovery",
        "title": "Discovery between Ann and Dana Whitfield",
        "description": "",
        "additionalNotes": "",
        "customInputs": {},
        "startTime": start.isoformat(),
        "endTime": (start + timedelta(minutes=30)).isoformat(),
        "organizer": {
            "id": 5,
            "name": "Ann",
            "email": organizer,
            "username": "ann",
            "timeZone": "Europe/London",
            "language": {"locale": "en"},
            "timeFormat": "h:mma",
            "utcOffset": 0,
        },
        "responses": {
            "name": {"label": "your_name", "value": "Dana Whitfield"},
            "email": {"label": "email_address", "value": "dana@acme-robotics.com"},
            "notes": {"label": "additional_notes", "value": "Downtime on two lines"},
            "company": {"label": "Company", "value": "Acme Robotics"},
        },
        "userFieldsResponses": {},
        "attendees": [
            {
                "email": "dana@acme-robotics.com",
                "name": "Dana Whitfield",
                "timeZone": "America/New_York",
                "language": {"locale": "en"},
                "utcOffset": -300,
            }
        ],
        "location": "integrations:daily",
        "destinationCalendar": [],
        "hideCalendarNotes": False,
        "requiresConfirmation": None,
        "eventTypeId": 7,
        "seatsShowAttendees": True,
        "seatsPerTimeSlot": None,
        "uid": uid,
        "bookingId": 91,
        "metadata": {"utm_source": "google", "utm_campaign": "brand"},
        "status": "CANCELLED" if trigger == "BOOKING_CANCELLED" else "ACCEPTED",
    }
    if reschedule_uid:
        payload["rescheduleUid"] = reschedule_uid
    if trigger == "BOOKING_CANCELLED":
        payload["cancellationReason"] = "No longer needed"
    return {"triggerEvent": trigger, "createdAt": _iso(datetime.now(UTC)), "payload": payload}


def generic_booking(
    event: str = "booked",
    *,
    booking_id: str = "zap-1",
    start: datetime | None = None,
    booked_by: str = SDR_EMAIL,
    previous_id: str | None = None,
) -> dict[str, Any]:
    start = start or meeting_time()
    body: dict[str, Any] = {
        "event": event,
        "id": booking_id,
        "booked_by": booked_by,
        "contact": {"name": "Dana Whitfield", "email": "dana@acme-robotics.com"},
        "meeting": {"start": start.isoformat(), "timezone": "America/New_York", "name": "Demo"},
        "company": "Acme Robotics",
        "source": "event",
        "campaign": "robotics-expo",
        "answers": {"What brings you?": "Downtime on two lines"},
    }
    if previous_id:
        body["previous_id"] = previous_id
    return body


def raw(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def calendly_signature(body: bytes, key: str = CALENDLY_KEY, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    digest = hmac.new(key.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def calcom_signature(body: bytes, secret: str = CALCOM_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def chilipiper_meeting(
    kind: str = "Created",
    *,
    meeting_id: str = "123e4567-e89b-12d3-a456-426614174000",
    start: datetime | None = None,
    booker: str = SDR_EMAIL,
) -> dict[str, Any]:
    start = start or meeting_time()
    return {
        "type": kind,
        "meetingIdChili": meeting_id,
        "title": "Acme Robotics <> OurCo: Discovery",
        "description": "",
        "location": "https://zoom.example/j/2",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "primaryGuestTimeZone": "America/New_York",
        "primaryGuestName": "Dana Whitfield",
        "primaryGuestEmail": "dana@acme-robotics.com",
        "primaryGuestIdChili": "g-0001",
        "primaryGuestDataFields": {"Company": "Acme Robotics", "Seats": 480},
        "hostIdChili": "h-0001",
        "hostName": "Ann",
        "hostEmail": booker,
        "assigneeIdChili": "h-0001",
        "assigneeName": "Ann",
        "bookerIdChili": "h-0001",
        "bookerName": "Ann",
        "bookerEmail": booker,
        "additionalGuests": [],
        "workspaceId": "ws-1",
        "workspaceName": "OurCo",
        "productFeatureType": "ConciergeRouter",
        "productFeatureName": "Inbound demo",
        "productFeatureId": "pf-1",
        "distributionName": "SDR round robin",
        "distributionId": "d-1",
        "meetingTypeName": "Discovery",
        "meetingTypeId": "mt-1",
    }


def hubspot_meeting(
    outcome: str = "SCHEDULED",
    *,
    object_id: int = 51234,
    start: datetime | None = None,
    booker: str = SDR_EMAIL,
) -> dict[str, Any]:
    """A meeting-based workflow's webhook with a customized body: the meeting's properties
    (datetimes in epoch milliseconds, as HubSpot sends them) and the keys the workflow adds."""
    start = start or meeting_time()
    return {
        "hs_object_id": str(object_id),
        "hs_meeting_title": "Discovery: Acme Robotics",
        "hs_meeting_start_time": str(int(start.timestamp() * 1000)),
        "hs_meeting_outcome": outcome,
        "booked_by_email": booker,
        "contact_email": "dana@acme-robotics.com",
        "contact_name": "Dana Whitfield",
        "company": "Acme Robotics",
        "source": "linkedin",
    }


def hubspot_headers(
    url: str, body: bytes, secret: str = HUBSPOT_SECRET, at_ms: int | None = None
) -> dict[str, str]:
    t = str(int(time.time() * 1000) if at_ms is None else at_ms)
    message = b"POST" + url.encode() + body + t.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": t,
    }
