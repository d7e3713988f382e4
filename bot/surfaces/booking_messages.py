"""The SDR's DM about a meeting booked in a scheduling tool: qualify it."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.surfaces.render import render
from storage.bookings import CANCELED, Booking

TOOL_NAMES = {"calendly": "Calendly", "calcom": "Cal.com", "generic": "your booking tool"}


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
    return render("messages/booking_dm.json.j2", b=booking_model(booking), ids=ids)
