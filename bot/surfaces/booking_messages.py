"""The SDR's DM about a meeting booked in a scheduling tool: qualify it."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.surfaces.render import render
from storage.bookings import CANCELED, Booking

TOOL_NAMES = {
    "calendly": "Calendly",
    "calcom": "Cal.com",
    "chilipiper": "Chili Piper",
    "hubspot": "HubSpot",
    "generic": "your booking tool",
}


def booking_model(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "company": booking.company,
        "contact_name": booking.contact_name,
        "meeting_at": booking.meeting_at,
        "tool": TOOL_NAMES.get(booking.tool, booking.tool),
        "event_name": booking.event_name,
        "status": "canceled" if booking.status == CANCELED else "booked",
        "qualified": booking.handoff_id is not None,
    }


def booking_dm(booking: Booking) -> dict[str, Any]:
    return render("messages/booking_dm.json.j2", b=booking_model(booking), ids=ids, reminder=False)


def booking_reminder(booking: Booking) -> dict[str, Any]:
    """The same DM, as a reminder that the meeting is near and still not qualified."""
    return render("messages/booking_dm.json.j2", b=booking_model(booking), ids=ids, reminder=True)


def unmatched_message(
    booking: Booking, *, assigned_to: str | None = None, assigned_by: str | None = None
) -> dict[str, Any]:
    """The managers' DM about a booking nobody in Slack matches; once someone was picked,
    who (no picker any more)."""
    assigned = {"user": assigned_to, "by": assigned_by} if assigned_to else None
    return render(
        "messages/booking_unmatched.json.j2",
        b=booking_model(booking),
        email=booking.booked_by_email or "someone",
        assigned=assigned,
        ids=ids,
    )
