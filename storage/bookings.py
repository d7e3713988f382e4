"""Booked meetings, one row each however often the tool reschedules them, and the people
table that says who a booker's email is in Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from handoff.booking import BookingEvent, EventKind
from storage.db import rows_changed
from storage.models import BookingRow, HandoffRow, PersonRow

BOOKED, CANCELED = "booked", "canceled"
MANUAL, LOOKUP = "manual", "lookup"


@dataclass(frozen=True)
class Booking:
    id: int
    team_id: str
    tool: str
    booking_key: str
    status: str
    booked_by_email: str | None
    sdr_id: str | None
    contact_name: str
    contact_email: str
    company: str
    meeting_at: datetime | None
    timezone: str
    source: str
    campaign: str
    event_name: str
    answers: dict[str, str]
    booked_at: datetime
    updated_at: datetime
    canceled_at: datetime | None
    draft_id: int | None
    handoff_id: int | None


def _booking(row: BookingRow) -> Booking:
    return Booking(
        row.id,
        row.team_id,
        row.tool,
        row.booking_key,
        row.status,
        row.booked_by_email,
        row.sdr_id,
        row.contact_name,
        row.contact_email,
        row.company,
        row.meeting_at,
        row.timezone,
        row.source,
        row.campaign,
        row.event_name,
        {str(k): str(v) for k, v in (row.answers or {}).items()},
        row.booked_at,
        row.updated_at,
        row.canceled_at,
        row.draft_id,
        row.handoff_id,
    )


class BookingStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def apply(
        self, team_id: str, event: BookingEvent, *, sdr_id: str | None, now: datetime
    ) -> Booking | None:
        """The booking as it is after `event`; None when the event concerns nothing kept
        (the old half of a reschedule whose new half is not here yet: that one creates it).

        A reschedule keeps the row and moves its key to the new booking, whichever half
        comes first; a replay changes nothing; a cancellation marks it canceled."""
        row = self._find(team_id, event.tool, event.key)
        if event.kind in (EventKind.CREATED, EventKind.RESCHEDULED, EventKind.UPDATED):
            if row is None and event.previous_key:
                row = self._find(team_id, event.tool, event.previous_key)
            if row is None:
                row = self._insert(team_id, event, sdr_id=sdr_id, now=now)
            else:
                self._moved(row, event, sdr_id=sdr_id, now=now)
        elif event.kind == EventKind.CANCELED:
            if row is None and event.next_key:
                return None
            if row is None:
                # Canceled before its booking arrived: kept canceled, so a late booking
                # delivery does not bring it back.
                row = self._insert(team_id, event, sdr_id=sdr_id, now=now)
                row.status, row.canceled_at = CANCELED, now
            elif event.next_key:
                if row.booking_key == event.key:  # the new half is still to come
                    row.previous_key, row.booking_key = row.booking_key, event.next_key
                    row.updated_at = now
            elif row.status != CANCELED:
                row.status, row.canceled_at, row.updated_at = CANCELED, now, now
                row.remind_at = None
        elif row is not None and row.no_show_at is None:
            row.no_show_at, row.updated_at = now, now
        if row is None:
            return None
        self._session.flush()
        return _booking(row)

    def _find(self, team_id: str, tool: str, key: str) -> BookingRow | None:
        return self._session.scalars(
            select(BookingRow)
            .where(
                BookingRow.team_id == team_id,
                BookingRow.tool == tool,
                or_(BookingRow.booking_key == key, BookingRow.previous_key == key),
            )
            .order_by(case((BookingRow.booking_key == key, 0), else_=1))
            .limit(1)
            .with_for_update()
        ).first()

    def _insert(
        self, team_id: str, event: BookingEvent, *, sdr_id: str | None, now: datetime
    ) -> BookingRow:
        row = BookingRow(
            team_id=team_id,
            tool=event.tool.value,
            booking_key=event.key,
            previous_key=event.previous_key or None,
            status=BOOKED,
            booked_by_email=event.booked_by_email or None,
            sdr_id=sdr_id,
            contact_name=event.contact_name[:200],
            contact_email=event.contact_email[:254],
            company=event.company[:200],
            meeting_at=event.meeting_at,
            timezone=event.timezone[:64],
            source=event.source[:100],
            campaign=event.campaign[:200],
            event_name=event.event_name[:200],
            answers=dict(event.answers),
            booked_at=now,
            updated_at=now,
        )
        self._session.add(row)
        return row

    def _moved(
        self, row: BookingRow, event: BookingEvent, *, sdr_id: str | None, now: datetime
    ) -> None:
        """A booking already kept: a reschedule's new half moves it to the new key and time;
        the same delivery again (or a late copy) changes nothing."""
        if row.booking_key != event.key:
            row.previous_key, row.booking_key = row.booking_key, event.key
        elif event.kind == EventKind.CREATED:
            return  # a replay: the tool never books one invitee twice
        if row.status == CANCELED and event.reschedule:
            row.status, row.canceled_at = BOOKED, None
        row.meeting_at = event.meeting_at or row.meeting_at
        row.timezone = event.timezone[:64] or row.timezone
        row.sdr_id = row.sdr_id or sdr_id
        row.updated_at = now

    def set_reminder(self, booking_id: int, at: datetime | None) -> None:
        self._session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id)
            .values(remind_at=at)
            .execution_options(synchronize_session=False)
        )

    def due_reminders(
        self, now: datetime, *, after: tuple[datetime, int] | None = None, limit: int = 500
    ) -> list[tuple[Booking, datetime]]:
        """Bookings whose reminder is due, by (due time, id) after `after` (keyset pages),
        each with its due time."""
        key = tuple_(BookingRow.remind_at, BookingRow.id)
        query = select(BookingRow).where(BookingRow.remind_at <= now)
        if after is not None:
            query = query.where(key > tuple_(*after))
        rows = self._session.scalars(
            query.order_by(BookingRow.remind_at, BookingRow.id).limit(limit)
        )
        out = []
        for row in rows:
            assert row.remind_at is not None
            out.append((_booking(row), row.remind_at))
        return out

    def get(self, booking_id: int) -> Booking | None:
        row = self._session.get(BookingRow, booking_id, populate_existing=True)
        return None if row is None else _booking(row)

    def by_key(self, team_id: str, tool: str, key: str) -> Booking | None:
        row = self._session.scalars(
            select(BookingRow).where(
                BookingRow.team_id == team_id,
                BookingRow.tool == tool,
                or_(BookingRow.booking_key == key, BookingRow.previous_key == key),
            )
        ).first()
        return None if row is None else _booking(row)

    def set_draft(self, booking_id: int, draft_id: int) -> None:
        self._session.execute(
            update(BookingRow)
            .where(BookingRow.id == booking_id)
            .values(draft_id=draft_id)
            .execution_options(synchronize_session=False)
        )

    def qualified(self, draft_id: int, handoff_id: int, *, now: datetime) -> None:
        """The draft a booking opened became a handoff: the booking is qualified, and the
        handoff keeps how long that took (the digest's booking-to-handoff time)."""
        row = self._session.scalars(
            select(BookingRow)
            .where(BookingRow.draft_id == draft_id, BookingRow.handoff_id.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            return
        row.handoff_id, row.updated_at, row.remind_at = handoff_id, now, None
        seconds = max(0, int((now - row.booked_at).total_seconds()))
        self._session.execute(
            update(HandoffRow)
            .where(HandoffRow.id == handoff_id)
            .values(seconds_from_booking=seconds)
            .execution_options(synchronize_session=False)
        )
        self._session.flush()

    def assign(self, team_id: str, email: str, user_id: str, *, now: datetime) -> list[Booking]:
        """Give the booker's unassigned, open bookings to `user_id`; the ones given."""
        rows = list(
            self._session.scalars(
                select(BookingRow).where(
                    BookingRow.team_id == team_id,
                    BookingRow.booked_by_email == email,
                    BookingRow.sdr_id.is_(None),
                    BookingRow.status == BOOKED,
                    BookingRow.handoff_id.is_(None),
                )
            )
        )
        for row in rows:
            row.sdr_id, row.updated_at = user_id, now
        self._session.flush()
        return [_booking(r) for r in rows]

    def not_qualified(
        self, team_id: str, sdr_id: str, *, since: datetime, limit: int = 50
    ) -> list[Booking]:
        """The SDR's booked meetings with no handoff yet, from `since` on, soonest first."""
        rows = self._session.scalars(
            select(BookingRow)
            .where(
                BookingRow.team_id == team_id,
                BookingRow.sdr_id == sdr_id,
                BookingRow.status == BOOKED,
                BookingRow.handoff_id.is_(None),
                or_(BookingRow.meeting_at.is_(None), BookingRow.meeting_at >= since),
            )
            .order_by(BookingRow.meeting_at, BookingRow.id)
            .limit(limit)
        )
        return [_booking(r) for r in rows]

    def all(self, team_id: str) -> list[Booking]:
        rows = self._session.scalars(
            select(BookingRow).where(BookingRow.team_id == team_id).order_by(BookingRow.id)
        )
        return [_booking(r) for r in rows]


@dataclass(frozen=True)
class Person:
    email: str
    user_id: str
    how: str
    updated_at: datetime


class PeopleStore:
    """Who a booker's email is in Slack: by hand first, else the cached lookup."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, team_id: str, email: str) -> Person | None:
        row = self._session.get(PersonRow, (team_id, email.lower()))
        return None if row is None else Person(row.email, row.user_id, row.how, row.updated_at)

    def remember(self, team_id: str, email: str, user_id: str, *, how: str, now: datetime) -> None:
        """Set (how="manual") or cache (how="lookup") a mapping; a lookup never overwrites
        one set by hand. One statement, so two deliveries by the same booker at once
        cannot both insert."""
        postgres = self._session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        stmt = insert(PersonRow).values(
            team_id=team_id, email=email.lower(), user_id=user_id, how=how, updated_at=now
        )
        keep_manual = None if how == MANUAL else PersonRow.how != MANUAL
        self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[PersonRow.team_id, PersonRow.email],
                set_={"user_id": user_id, "how": how, "updated_at": now},
                where=keep_manual,
            )
        )

    def forget(self, team_id: str, email: str) -> bool:
        result = self._session.execute(
            delete(PersonRow).where(PersonRow.team_id == team_id, PersonRow.email == email.lower())
        )
        return rows_changed(result) == 1

    def all(self, team_id: str) -> list[Person]:
        rows = self._session.scalars(
            select(PersonRow).where(PersonRow.team_id == team_id).order_by(PersonRow.email)
        )
        return [Person(r.email, r.user_id, r.how, r.updated_at) for r in rows]
