"""Each booking tool's documented webhook body read into one BookingEvent (handoff/booking.py).

The bodies come from tests/support/booking_payloads.py, which cites each tool's docs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handoff.booking import EventKind, Tool, company_of, parse, prefill
from tests.support.booking_payloads import (
    SDR_EMAIL,
    calcom_booking,
    calendly_invitee,
    chilipiper_meeting,
    generic_booking,
    hubspot_meeting,
    meeting_time,
)

OLD = "https://api.calendly.com/scheduled_events/EV1/invitees/INV1"
NEW = "https://api.calendly.com/scheduled_events/EV2/invitees/INV2"


def test_calendly_invitee_created_carries_contact_company_time_source_and_host():
    start = meeting_time()
    event = parse(Tool.CALENDLY, calendly_invitee(start=start))
    assert event is not None
    assert event.kind == EventKind.CREATED
    assert event.key == OLD
    assert event.delivery_id == f"invitee.created:{OLD}"
    assert event.booked_by_email == SDR_EMAIL
    assert (event.contact_name, event.contact_email) == ("Dana Whitfield", "dana@acme-robotics.com")
    assert event.company == "Acme Robotics"
    assert event.meeting_at == start
    assert (event.source, event.campaign) == ("linkedin", "q4-robotics")
    assert event.timezone == "America/New_York"
    assert ("What brings you?", "Downtime on two lines") in event.answers
    assert not event.reschedule


def test_calendly_reschedule_is_a_cancel_naming_the_new_invitee_and_a_create_naming_the_old():
    canceled = parse(
        Tool.CALENDLY, calendly_invitee("invitee.canceled", rescheduled=True, new_invitee=NEW)
    )
    created = parse(Tool.CALENDLY, calendly_invitee(invitee=NEW, old_invitee=OLD))
    assert canceled is not None and created is not None
    assert (canceled.kind, canceled.key, canceled.next_key) == (EventKind.CANCELED, OLD, NEW)
    assert (created.kind, created.key, created.previous_key) == (EventKind.RESCHEDULED, NEW, OLD)
    assert canceled.reschedule and created.reschedule


def test_a_plain_calendly_cancellation_keeps_its_reason():
    event = parse(Tool.CALENDLY, calendly_invitee("invitee.canceled"))
    assert event is not None
    assert (event.kind, event.next_key, event.reason) == (EventKind.CANCELED, "", "moved")


def test_calendly_no_show():
    event = parse(Tool.CALENDLY, calendly_invitee("invitee_no_show.created"))
    assert event is not None and event.kind == EventKind.NO_SHOW and event.key == OLD


# HubSpot's workflow sends the meeting as it is now: there is no event type to ignore.
@pytest.mark.parametrize("tool", [t for t in Tool if t != Tool.HUBSPOT])
def test_an_event_type_the_bot_does_not_act_on_is_none(tool):
    field = {Tool.CALCOM: "triggerEvent", Tool.CHILIPIPER: "type"}.get(tool, "event")
    assert parse(tool, {field: "routing_form_submission.created", "payload": {}}) is None


def test_chili_piper_meeting_created_updated_deleted():
    start, moved = meeting_time(), meeting_time(5)
    event = parse(Tool.CHILIPIPER, chilipiper_meeting(start=start))
    assert event is not None and event.kind == EventKind.CREATED
    assert (event.key, event.booked_by_email, event.company) == (
        "123e4567-e89b-12d3-a456-426614174000",
        SDR_EMAIL,
        "Acme Robotics",
    )
    assert (event.meeting_at, event.timezone, event.event_name) == (
        start,
        "America/New_York",
        "Discovery",
    )
    assert ("Seats", "480") in event.answers
    updated = parse(Tool.CHILIPIPER, chilipiper_meeting("Updated", start=moved))
    assert updated is not None and updated.kind == EventKind.UPDATED
    assert updated.meeting_at == moved and updated.delivery_id != event.delivery_id
    deleted = parse(Tool.CHILIPIPER, chilipiper_meeting("Deleted"))
    assert deleted is not None and deleted.kind == EventKind.CANCELED


def test_hubspot_meeting_flat_or_under_properties_with_ms_or_iso_times():
    start = meeting_time()
    event = parse(Tool.HUBSPOT, hubspot_meeting(start=start))
    assert event is not None and event.kind == EventKind.UPDATED
    assert (event.key, event.meeting_at, event.booked_by_email) == ("51234", start, SDR_EMAIL)
    wrapped = {
        "objectId": 51234,
        "properties": {
            "hs_meeting_start_time": {"value": start.isoformat()},
            "hs_meeting_outcome": {"value": "NO_SHOW"},
        },
    }
    no_show = parse(Tool.HUBSPOT, wrapped)
    assert no_show is not None and (no_show.kind, no_show.key) == (EventKind.NO_SHOW, "51234")
    canceled = parse(Tool.HUBSPOT, hubspot_meeting("CANCELED"))
    assert canceled is not None and canceled.kind == EventKind.CANCELED


def test_cal_com_booking_created_and_rescheduled():
    start = meeting_time()
    created = parse(Tool.CALCOM, calcom_booking(start=start))
    assert created is not None
    assert created.kind == EventKind.CREATED
    assert created.key == "bFJeNb2uX8ANpT3JL5EfXw"
    assert created.booked_by_email == SDR_EMAIL
    assert (created.contact_name, created.company) == ("Dana Whitfield", "Acme Robotics")
    assert created.meeting_at == start
    assert ("additional_notes", "Downtime on two lines") in created.answers
    assert (created.source, created.campaign) == ("google", "brand")
    moved = parse(
        Tool.CALCOM, calcom_booking("BOOKING_RESCHEDULED", uid="new", reschedule_uid=created.key)
    )
    assert moved is not None
    assert (moved.kind, moved.key, moved.previous_key) == (
        EventKind.RESCHEDULED,
        "new",
        created.key,
    )
    canceled = parse(Tool.CALCOM, calcom_booking("BOOKING_CANCELLED"))
    assert canceled is not None and canceled.kind == EventKind.CANCELED
    assert canceled.reason == "No longer needed"


def test_generic_body():
    event = parse(Tool.GENERIC, generic_booking())
    assert event is not None
    assert (event.kind, event.key, event.company, event.source) == (
        EventKind.CREATED,
        "zap-1",
        "Acme Robotics",
        "event",
    )
    moved = parse(
        Tool.GENERIC, generic_booking("rescheduled", booking_id="zap-2", previous_id="zap-1")
    )
    assert moved is not None and moved.previous_key == "zap-1"
    assert parse(Tool.GENERIC, {"event": "canceled", "id": "zap-1"}) is not None


@pytest.mark.parametrize(
    ("tool", "body", "reason"),
    [
        (Tool.CALENDLY, [], "the body is not a JSON object"),
        (Tool.CALENDLY, {"payload": {}}, "event is missing"),
        (Tool.CALENDLY, {"event": "invitee.created"}, "payload is missing or not an object"),
        (
            Tool.CALENDLY,
            {"event": "invitee.created", "payload": {"uri": 3}},
            "payload.uri is not a string",
        ),
        (
            Tool.CALENDLY,
            {"event": "invitee.created", "payload": {"uri": "u", "scheduled_event": {}}},
            "payload.scheduled_event.start_time is missing",
        ),
        (Tool.CALCOM, {"triggerEvent": "BOOKING_CREATED", "payload": {}}, "payload.uid is missing"),
        (Tool.GENERIC, {"event": "booked", "id": "x"}, "contact is missing or not an object"),
        (
            Tool.GENERIC,
            {**generic_booking(), "meeting": {"start": "next tuesday"}},
            "meeting.start is not an ISO 8601 time",
        ),
        (
            Tool.GENERIC,
            {**generic_booking(), "meeting": {"start": "2026-12-03T15:00:00"}},
            "meeting.start has no time zone offset",
        ),
        (Tool.GENERIC, generic_booking("rescheduled"), "a rescheduled event needs previous_id"),
        (Tool.CHILIPIPER, {"type": "Created"}, "meetingIdChili is missing"),
        (Tool.CHILIPIPER, {"type": "Created", "meetingIdChili": "m"}, "start is missing"),
        (Tool.HUBSPOT, {"hs_meeting_start_time": "1"}, "hs_object_id is missing"),
        (Tool.HUBSPOT, {"hs_object_id": "5"}, "hs_meeting_start_time is missing"),
        (
            Tool.HUBSPOT,
            {"hs_object_id": "5", "hs_meeting_start_time": "soon"},
            "hs_meeting_start_time is not an ISO 8601 time",
        ),
    ],
)
def test_a_malformed_body_is_one_line_naming_what_is_wrong(tool, body, reason):
    with pytest.raises(ValueError) as caught:
        parse(tool, body)
    assert str(caught.value) == reason
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("email", "company"),
    [
        ("dana@acme-robotics.com", "Acme Robotics"),
        ("lee@plant.acme.co.uk", "Acme"),
        ("someone@gmail.com", ""),
        ("not-an-email", ""),
    ],
)
def test_company_from_the_email_domain(email, company):
    assert company_of(email) == company


def test_a_form_answer_naming_the_company_wins_over_the_domain():
    assert company_of("x@gmail.com", (("Your organisation", "Globex"),)) == "Globex"


def test_prefill_fills_the_wizard_from_a_booking():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    at = now + timedelta(days=2)
    sources = {"outbound": "Outbound prospecting", "inbound_demo": "Inbound demo request"}
    answers = prefill(
        company="Acme Robotics",
        contact_name="Dana Whitfield",
        contact_email="dana@acme-robotics.com",
        meeting_at=at,
        source="linkedin",
        campaign="q4",
        tool="calendly",
        event_name="Discovery call",
        answers={"What brings you?": "Downtime"},
        sources=sources,
        now=now,
    )
    assert answers["company"] == "Acme Robotics"
    assert answers["website"] == "acme-robotics.com"
    assert answers["meeting_at"] == int(at.timestamp())
    assert answers["source"] == "inbound_demo"  # linkedin is not one of the team's choices
    assert "UTM: source linkedin, campaign q4" in answers["notes"]
    assert "What brings you?: Downtime" in answers["notes"]
    outbound = prefill(**{**_base(now), "source": "Outbound", "sources": sources})
    assert outbound["source"] == "outbound"
    past = prefill(**{**_base(now), "meeting_at": now - timedelta(hours=1), "sources": sources})
    assert "meeting_at" not in past  # the wizard asks for it rather than refusing it later


def _base(now):
    return dict(
        company="",
        contact_name="",
        contact_email="",
        meeting_at=None,
        source="",
        campaign="",
        tool="cal.com",
        event_name="",
        answers={},
        now=now,
    )


def test_the_documented_schema_accepts_what_the_parser_reads_and_refuses_what_it_refuses():
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads(
        (Path(__file__).parents[2] / "docs" / "meeting-booked.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    valid = jsonschema.Draft202012Validator(schema)
    for body in (
        generic_booking(),
        generic_booking("rescheduled", booking_id="zap-2", previous_id="zap-1"),
        {"event": "canceled", "id": "zap-1"},
    ):
        assert valid.is_valid(body)
        assert parse(Tool.GENERIC, body) is not None
    for body in (generic_booking("rescheduled"), {"event": "booked", "id": "x"}):
        assert not valid.is_valid(body)
        with pytest.raises(ValueError):
            parse(Tool.GENERIC, body)


def _quiet_nights(at: datetime) -> bool:
    """Quiet 19:00–08:00 UTC and all weekend."""
    return at.weekday() >= 5 or at.hour >= 19 or at.hour < 8


MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("meeting", "now", "hours", "expected"),
    [
        # Plainly the given hours before.
        (
            MONDAY_9 + timedelta(days=2),
            MONDAY_9 - timedelta(days=3),
            24,
            MONDAY_9 + timedelta(days=1),
        ),
        # 24 hours before a Monday 09:00 is Sunday: moved back to Friday before 19:00.
        (MONDAY_9, MONDAY_9 - timedelta(days=5), 24, datetime(2026, 12, 4, 18, 45, tzinfo=UTC)),
        # Already past and not quiet: at once.
        (
            MONDAY_9 + timedelta(hours=6),
            MONDAY_9 + timedelta(hours=1),
            24,
            MONDAY_9 + timedelta(hours=1),
        ),
        # Past and quiet now, the meeting after the quiet spell: when it ends.
        (
            MONDAY_9 + timedelta(hours=2),
            MONDAY_9 - timedelta(hours=3),
            24,
            MONDAY_9 - timedelta(hours=1),
        ),
        # Past, quiet, and the meeting inside the quiet spell: nothing.
        (MONDAY_9 - timedelta(hours=2), MONDAY_9 - timedelta(hours=4), 24, None),
        # Off, past meetings and unknown times: nothing.
        (MONDAY_9, MONDAY_9 - timedelta(days=5), 0, None),
        (MONDAY_9, MONDAY_9 + timedelta(hours=1), 24, None),
        (None, MONDAY_9, 24, None),
    ],
)
def test_the_reminder_comes_its_hours_before_the_meeting_but_never_in_quiet_hours(
    meeting, now, hours, expected
):
    from handoff.booking import reminder_time

    assert reminder_time(meeting, now=now, hours_before=hours, quiet=_quiet_nights) == expected
