"""A manager picks who booked a meeting nobody in Slack matched: the booker's email is
mapped to that person for good, and they are asked to qualify every open booking from it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.ids import Action, Block
from bot.jobs.booking_intake import asks
from bot.listeners.clicks import tell
from bot.payloads import user_id
from bot.services import Services
from bot.surfaces.booking_messages import unmatched_message
from storage.bookings import MANUAL

NOT_MANAGER = "Only the managers (HANDOFF_MANAGERS) can say who booked a meeting."
GONE = "That booking is gone."


def register(app: App, services: Services) -> None:
    @app.action(Action.ASSIGN_BOOKING)
    def assign_booking(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actor = user_id(body)
        action = (body.get("actions") or [{}])[0]
        picked = str(action.get("selected_user") or "")
        booking_id = _booking_id(str(action.get("block_id") or ""))
        if not services.roles.is_manager(actor):
            tell(services, body, respond, NOT_MANAGER)
            return
        if not picked or booking_id is None:
            return  # the picker was cleared: nothing to do
        now = services.now()
        with services.uow() as uow:
            booking = uow.bookings.get(booking_id)
            if booking is None or not booking.booked_by_email:
                given = None
            else:
                email = booking.booked_by_email
                uow.people.remember(booking.team_id, email, picked, how=MANUAL, now=now)
                given = uow.bookings.assign(booking.team_id, email, picked, now=now)
                for each in given:
                    uow.outbox.add(asks(each), now=now)
                booking = uow.bookings.get(booking_id)
            written = uow.outbox.written
        services.deliver_soon(written)
        if booking is None or given is None:
            tell(services, body, respond, GONE)
            return
        # The message itself now says who was picked (the picker goes: a second pick would
        # only map the email again).
        respond(
            **unmatched_message(booking, assigned_to=picked, assigned_by=actor),
            replace_original=True,
        )


def _booking_id(block_id: str) -> int | None:
    suffix = block_id.removeprefix(Block.BOOKING_ASSIGN)
    return int(suffix) if block_id.startswith(Block.BOOKING_ASSIGN) and suffix.isdigit() else None
