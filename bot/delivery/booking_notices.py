"""Plans the SDR's DM about a meeting booked in a scheduling tool."""

from __future__ import annotations

from bot.delivery.pacing import Slack
from bot.delivery.plans import Nothing, Plan, Post
from bot.services import Services
from bot.surfaces.booking_messages import booking_dm, booking_reminder, unmatched_message
from storage.bookings import BOOKED
from storage.outbox import Job


def plan_unmatched(services: Services, slack: Slack, job: Job) -> Plan:
    """Ask the managers whose a booking is, while nobody is assigned and it is still on."""
    managers = list(services.settings.managers)
    if job.booking_id is None or not managers:
        return Nothing("no booking, or no managers")
    with services.uow(read_only=True) as uow:
        booking = uow.bookings.get(job.booking_id)
    if booking is None or booking.sdr_id is not None or booking.status != BOOKED:
        return Nothing("assigned or canceled meanwhile")
    return Post(slack.dm_channel(managers), unmatched_message(booking))


def plan_booking_dm(services: Services, slack: Slack, job: Job) -> Plan:
    """Ask the SDR to qualify the booking, unless it was canceled or qualified meanwhile."""
    if job.booking_id is None:
        return Nothing("no booking")
    with services.uow(read_only=True) as uow:
        booking = uow.bookings.get(job.booking_id)
    if booking is None or booking.sdr_id is None:
        return Nothing("booking gone or nobody to ask")
    if booking.status != BOOKED or booking.handoff_id is not None:
        return Nothing("canceled or qualified already")
    return Post(booking.sdr_id, booking_dm(booking))


def plan_booking_reminder(services: Services, slack: Slack, job: Job) -> Plan:
    """Remind the SDR of a booking still to qualify, unless it was qualified, canceled or
    moved to another time meanwhile (the new time has its own reminder), or is past."""
    if job.booking_id is None:
        return Nothing("no booking")
    with services.uow(read_only=True) as uow:
        booking = uow.bookings.get(job.booking_id)
    if booking is None or booking.sdr_id is None or booking.meeting_at is None:
        return Nothing("booking gone or nobody to remind")
    if booking.status != BOOKED or booking.handoff_id is not None:
        return Nothing("canceled or qualified already")
    if int(booking.meeting_at.timestamp()) // 60 != job.level:
        return Nothing("moved to another time")
    if booking.meeting_at <= services.now():
        return Nothing("the meeting is past")
    return Post(booking.sdr_id, booking_reminder(booking))
