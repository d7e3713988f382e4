"""Processing what booking tools delivered: each inbox row applied to the bookings once.

The intake endpoint stores a delivery and answers; `process` then runs on the intake pool
(and `process_left` in every sweep, for whatever a crash or a failure left). For each
delivery: who booked it (the people table, then users.lookupByEmail, cached there), then
one unit of work that applies the event to its booking, asks the SDR to qualify a new
booking (an outbox row: the DM is sent after the commit, once) and marks the delivery
processed. A booking whose booker is not found in Slack is kept without an SDR.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.delivery.change_effects import write_change
from bot.services import Services
from handoff.booking import EventKind, Tool, parse, reminder_time
from handoff.businesstime import clock_for
from handoff.effects import Change, Effect, home
from handoff.lifecycle import meeting_canceled, meeting_moved, no_show_reported
from handoff.model import MessageKind
from storage.bookings import BOOKED, CANCELED, LOOKUP, Booking
from storage.inbox import MAX_ATTEMPTS
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PAGE = 100
MOVES = (EventKind.RESCHEDULED, EventKind.UPDATED)


def process(services: Services, delivery_ids: Sequence[int]) -> None:
    for delivery_id in delivery_ids:
        process_one(services, delivery_id)


def process_left(services: Services) -> int:
    """Every delivery still unprocessed, oldest first; how many were tried."""
    tried, after = 0, 0
    while True:
        with services.uow(read_only=True) as uow:
            page = uow.inbox.unprocessed(services.now(), after_id=after, limit=PAGE)
        if not page:
            return tried
        process(services, page)
        tried += len(page)
        after = page[-1]


def process_one(services: Services, delivery_id: int) -> None:
    with services.uow(read_only=True) as uow:
        delivery = uow.inbox.get(delivery_id)
    if delivery is None or delivery.processed_at is not None:
        return
    try:
        event = parse(Tool(delivery.tool), json.loads(delivery.body))
        sdr = None
        if event is not None and event.booked_by_email:
            sdr = slack_user(services, delivery.team_id, event.booked_by_email)
        with services.uow() as uow:
            if uow.inbox.start(delivery_id) is None:
                return  # another processor took it meanwhile
            now = services.now()
            booking = (
                None
                if event is None
                else uow.bookings.apply(delivery.team_id, event, sdr_id=sdr, now=now)
            )
            if booking is not None:
                managers = bool(services.settings.managers)
                uow.outbox.add(asks(booking, managers=managers), now=now)
                if event is not None and event.kind in (EventKind.CREATED, *MOVES):
                    uow.bookings.set_reminder(booking.id, _remind_at(services, booking, now))
                if event is not None and event.kind in MOVES:
                    _moved_in_draft(uow, booking, now)
                    _moved_in_handoff(uow, services, booking, now)
                if event is not None and event.kind == EventKind.CANCELED and not event.next_key:
                    _canceled_in_handoff(uow, services, booking, event.reason, now)
                if event is not None and event.kind == EventKind.NO_SHOW:
                    _no_show_in_handoff(uow, services, booking, now)
            uow.inbox.done(delivery_id, now=now)
            written = uow.outbox.written
    except (SlackApiError, OSError) as exc:
        _failed(services, delivery_id, f"Slack: {exc}")
        log.warning("booking delivery %s: Slack did not answer; the sweep tries again", delivery_id)
        return
    except Exception as exc:
        _failed(services, delivery_id, f"{type(exc).__name__}: {exc}")
        log.exception("booking delivery %s failed; the sweep tries again", delivery_id)
        return
    services.deliver_soon(written)


def remind_due(services: Services, now: datetime) -> None:
    """Remind each SDR of their bookings still unqualified whose reminder is due (once per
    meeting time: a reschedule arms a new one), page by page."""
    after: tuple[datetime, int] | None = None
    while True:
        with services.uow() as uow:
            page = uow.bookings.due_reminders(now, after=after, limit=PAGE)
            for booking, _ in page:
                uow.bookings.set_reminder(booking.id, None)
                if _unqualified(booking, now):
                    assert booking.meeting_at is not None and booking.sdr_id is not None
                    minute = int(booking.meeting_at.timestamp()) // 60
                    reminder = Effect(
                        MessageKind.BOOKING_REMINDER,
                        booking.team_id,
                        booking_id=booking.id,
                        level=minute,
                        recipient=booking.sdr_id,
                    )
                    uow.outbox.add([reminder], now=now)
            written = uow.outbox.written
        services.deliver_soon(written)
        if len(page) < PAGE:
            return
        last, due = page[-1]
        after = (due, last.id)


def _unqualified(booking: Booking, now: datetime) -> bool:
    """Still to qualify, by someone, before a meeting still ahead."""
    return (
        booking.status == BOOKED
        and booking.handoff_id is None
        and booking.sdr_id is not None
        and booking.meeting_at is not None
        and booking.meeting_at > now
    )


def _remind_at(services: Services, booking: Booking, now: datetime) -> datetime | None:
    if booking.status != BOOKED or booking.handoff_id is not None:
        return None
    return reminder_time(
        booking.meeting_at,
        now=now,
        hours_before=services.config.booking.remind_hours_before,
        quiet=clock_for(services.config.policy).is_quiet,
    )


def asks(booking: Booking, *, managers: bool = False) -> list[Effect]:
    """What a booking calls for in Slack: its SDR asked to qualify it (once), and their
    Home, which lists what they booked and have not qualified yet. A booking nobody in
    Slack matches is offered to the managers (once), when there are managers."""
    if booking.sdr_id is None:
        if not managers or booking.status != BOOKED:
            return []
        return [Effect(MessageKind.BOOKING_UNMATCHED, booking.team_id, booking_id=booking.id)]
    dm = Effect(
        MessageKind.BOOKING_DM, booking.team_id, booking_id=booking.id, recipient=booking.sdr_id
    )
    ask = booking.status == BOOKED and booking.handoff_id is None
    return [dm] * ask + [home(booking.team_id, booking.sdr_id)]


def _moved_in_draft(uow: UnitOfWork, booking: Booking, now: datetime) -> None:
    """A wizard begun from the booking opens on the new time (the prefill is only read when
    the draft is created)."""
    if booking.draft_id is not None and booking.meeting_at is not None:
        uow.drafts.merge(
            booking.draft_id, {"meeting_at": int(booking.meeting_at.timestamp())}, now=now
        )


def _moved_in_handoff(uow: UnitOfWork, services: Services, booking: Booking, now: datetime) -> None:
    """The handoff qualified from the booking follows the new time: one handoff, never a
    second (handoff.lifecycle.meeting_moved says what changes in each state)."""
    if booking.handoff_id is None or booking.meeting_at is None:
        return
    moved = meeting_moved(
        uow.handoffs, booking.handoff_id, to=booking.meeting_at, by=booking.tool, now=now
    )
    if moved.changed:
        changes = _meeting_changes(uow, booking.handoff_id)
        write_change(
            uow,
            services,
            Change.MEETING_MOVED,
            moved.handoff,
            actor="",
            now=now,
            meeting_changes=changes,
        )


def _canceled_in_handoff(
    uow: UnitOfWork, services: Services, booking: Booking, reason: str, now: datetime
) -> None:
    """The handoff qualified from a canceled booking ends canceled: the brief says so, its
    AE is told, and nothing more is chased."""
    if booking.handoff_id is None or booking.status != CANCELED:
        return
    ended = meeting_canceled(
        uow.handoffs, booking.handoff_id, by=booking.tool, reason=reason, now=now
    )
    if ended.changed:
        changes = _meeting_changes(uow, booking.handoff_id)
        write_change(
            uow,
            services,
            Change.MEETING_CANCELED,
            ended.handoff,
            actor="",
            now=now,
            meeting_changes=changes,
        )


def _no_show_in_handoff(
    uow: UnitOfWork, services: Services, booking: Booking, now: datetime
) -> None:
    """The tool marked the invitee a no-show: the accepted meeting's outcome, logged once."""
    if booking.handoff_id is None:
        return
    logged = no_show_reported(uow.handoffs, booking.handoff_id, by=booking.tool, now=now)
    if logged.changed:
        write_change(uow, services, Change.OUTCOME_LOGGED, logged.handoff, actor="", now=now)


def _meeting_changes(uow: UnitOfWork, handoff_id: int) -> int:
    """How many times the tool moved or canceled this meeting, this change included."""
    return sum(uow.handoffs.count_events(handoff_id, k) for k in ("meeting_moved", "canceled"))


def slack_user(services: Services, team_id: str, email: str) -> str | None:
    """The Slack user behind a booker's email: set in the team's file or by hand, else
    looked up and cached. None when Slack knows no such user; raises when Slack cannot
    answer (tried again)."""
    in_file = services.config.booking.people.get(email.lower())
    if in_file is not None:
        return in_file
    with services.uow(read_only=True) as uow:
        known = uow.people.get(team_id, email)
    if known is not None:
        return known.user_id
    try:
        reply = services.client.users_lookupByEmail(email=email)
    except SlackApiError as exc:
        if exc.response.get("error") == "users_not_found":
            log.info("booking: no Slack user has the booker's email; kept for the managers")
            return None
        raise
    user_id = str(reply["user"]["id"])
    with services.uow() as uow:
        uow.people.remember(team_id, email, user_id, how=LOOKUP, now=services.now())
    return user_id


def _failed(services: Services, delivery_id: int, error: str) -> None:
    with services.uow() as uow:
        attempts = uow.inbox.failed(delivery_id, error=error, now=services.now())
    if attempts >= MAX_ATTEMPTS:
        log.error(
            "booking delivery %s failed %s times and is left for an operator: %s",
            delivery_id,
            attempts,
            error,
        )
