"""Qualify it, in the SDR's DM about a booked meeting: the wizard opens prefilled from the
booking (or on the draft it opened before, where it was left)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.ids import Action
from bot.listeners.wizard_flow import open_form, resume
from bot.payloads import button_id, team_id, user_id
from bot.services import Services
from bot.surfaces.booking_messages import TOOL_NAMES
from bot.surfaces.notices import too_late_view
from handoff.booking import prefill
from storage.bookings import CANCELED, Booking


def register(app: App, services: Services) -> None:
    @app.action(Action.QUALIFY_BOOKING)
    def qualify_booking(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        trigger, person = body["trigger_id"], user_id(body)
        booking_id = button_id(body)
        with services.uow(read_only=True) as uow:
            booking = uow.bookings.get(booking_id) if booking_id is not None else None
            draft = uow.drafts.get(booking.draft_id) if booking and booking.draft_id else None
        refusal = _refusal(booking, person)
        if refusal or booking is None:
            services.client.views_open(trigger_id=trigger, view=too_late_view(refusal))
            return
        # Where it was left, when the SDR began qualifying it before.
        if (
            draft is not None
            and draft.submitted_at is None
            and resume(services, trigger_id=trigger, draft_id=draft.id, user_id=person)
        ):
            return
        open_form(
            services,
            trigger_id=trigger,
            team_id=team_id(body) or booking.team_id,
            user_id=person,
            initial=answers_from(services, booking),
            booking_id=booking.id,
        )


def _refusal(booking: Booking | None, person: str) -> str:
    if booking is None:
        return "That booking is gone."
    if booking.sdr_id != person:
        return "Only the person who booked this meeting can qualify it."
    if booking.status == CANCELED:
        return f"This meeting was canceled in {TOOL_NAMES.get(booking.tool, booking.tool)}."
    if booking.handoff_id is not None:
        return f"You already qualified this meeting (handoff #{booking.handoff_id})."
    return ""


def answers_from(services: Services, booking: Booking) -> dict[str, Any]:
    sources = {c.value: c.label for c in services.config.choices.get("sources", ())}
    return prefill(
        company=booking.company,
        contact_name=booking.contact_name,
        contact_email=booking.contact_email,
        meeting_at=booking.meeting_at,
        source=booking.source,
        campaign=booking.campaign,
        tool=TOOL_NAMES.get(booking.tool, booking.tool),
        event_name=booking.event_name,
        answers=booking.answers,
        sources=sources,
        now=services.now(),
    )
