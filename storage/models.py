"""Tables. Times are aware UTC; JSON columns hold small, already-validated dicts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in and out, also on SQLite, which stores datetimes without a zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware UTC value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UtcDateTime()}


class HandoffRow(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    sdr_id: Mapped[str] = mapped_column(String(32))
    suggested_ae_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)

    company: Mapped[str] = mapped_column(String(200))
    meeting_at: Mapped[datetime]
    industry: Mapped[str] = mapped_column(String(50))
    company_size: Mapped[str] = mapped_column(String(50))
    region: Mapped[str] = mapped_column(String(50))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_title: Mapped[str] = mapped_column(String(200))
    contact_role: Mapped[str] = mapped_column(String(50))
    pain: Mapped[str] = mapped_column(Text)
    timing: Mapped[str] = mapped_column(String(50))
    budget_status: Mapped[str] = mapped_column(String(50))
    next_steps: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(50))
    notes: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    current_solution: Mapped[str] = mapped_column(Text, default="")
    trigger: Mapped[str] = mapped_column(Text, default="")
    next_steps_status: Mapped[str] = mapped_column(String(50), default="agreed")
    intent_signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    fit_answers: Mapped[dict[str, Any]] = mapped_column(default=dict)

    # The score by the rubric version in force at submission (or the last edit);
    # the per-criterion results are rows of criterion_results.
    rubric_version: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None]
    clears_bar: Mapped[bool | None] = mapped_column(Boolean)
    edited_at: Mapped[datetime | None]

    submitted_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32))
    rejection_reason: Mapped[str | None] = mapped_column(String(50))
    rejection_comment: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_at: Mapped[datetime | None]

    brief_channel: Mapped[str | None] = mapped_column(String(32))
    brief_ts: Mapped[str | None] = mapped_column(String(32))
    # The brief is re-rendered from the row; a version ahead of the synced one
    # means Slack still shows an older state and a sweep must update it.
    brief_version: Mapped[int] = mapped_column(Integer, default=1)
    brief_synced_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]

    # After the decision: who owns the meeting, what came of it, and the measures.
    reassigned_ae_id: Mapped[str | None] = mapped_column(String(32))
    reassigned_by: Mapped[str | None] = mapped_column(String(32))
    reassigned_at: Mapped[datetime | None]
    outcome_by: Mapped[str | None] = mapped_column(String(32))
    rescheduled_to: Mapped[datetime | None]
    # Bumped by each reschedule; part of the outcome chase's ledger level.
    chase_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    seconds_to_decision: Mapped[int | None]
    seconds_to_outcome: Mapped[int | None]
    # From the booking tool's delivery to this handoff; NULL when typed with /handoff.
    seconds_from_booking: Mapped[int | None]

    # An SDR may dispute a rejection once; a manager upholds or overturns it.
    # dispute_status: None (never disputed) | "open" | "upheld" | "overturned".
    dispute_status: Mapped[str | None] = mapped_column(String(16))
    dispute_case: Mapped[str | None] = mapped_column(Text)
    disputed_at: Mapped[datetime | None]
    dispute_resolved_at: Mapped[datetime | None]
    dispute_resolved_by: Mapped[str | None] = mapped_column(String(32))

    # When the sweep must look at this handoff again for a chase; NULL: nothing to chase.
    next_chase_at: Mapped[datetime | None]

    stakeholders: Mapped[list[StakeholderRow]] = relationship(
        back_populates="handoff", order_by="StakeholderRow.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[CriterionResultRow]] = relationship(
        back_populates="handoff", order_by="CriterionResultRow.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_handoffs_status_submitted", "status", "submitted_at"),
        Index("ix_handoffs_team_submitted", "team_id", "submitted_at"),
        Index("ix_handoffs_sdr", "sdr_id", "submitted_at"),
        Index("ix_handoffs_status_outcome", "status", "outcome"),
        # The digest's windows: cohorts by submission, decisions, meetings, disputes.
        Index("ix_handoffs_submitted", "submitted_at"),
        Index("ix_handoffs_decided", "decided_at"),
        Index("ix_handoffs_meeting", "meeting_at"),
        # Partial: only the few disputed handoffs (a full index looks useless to the planner).
        Index(
            "ix_handoffs_dispute",
            "dispute_status",
            sqlite_where=text("dispute_status IS NOT NULL"),
            postgresql_where=text("dispute_status IS NOT NULL"),
        ),
        # Partial: the sweep reads only handoffs with a chase still to time, due first.
        Index(
            "ix_handoffs_next_chase",
            "next_chase_at",
            "id",
            sqlite_where=text("next_chase_at IS NOT NULL"),
            postgresql_where=text("next_chase_at IS NOT NULL"),
        ),
    )


class StakeholderRow(Base):
    __tablename__ = "stakeholders"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(50))

    handoff: Mapped[HandoffRow] = relationship(back_populates="stakeholders")

    __table_args__ = (UniqueConstraint("handoff_id", "position"),)


class CriterionResultRow(Base):
    """One rubric criterion, met or not, for one handoff: the unit of calibration reports."""

    __tablename__ = "criterion_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(40))
    met: Mapped[bool] = mapped_column(Boolean)
    weight: Mapped[int]
    must_meet: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)

    handoff: Mapped[HandoffRow] = relationship(back_populates="criteria")

    __table_args__ = (
        UniqueConstraint("handoff_id", "criterion", name="uq_criterion_results"),
        Index("ix_criterion_results_criterion", "criterion", "met"),
    )


class EventRow(Base):
    """Append-only audit log: rows are inserted, never updated or deleted."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_events_handoff", "handoff_id", "id"),)


class DraftRow(Base):
    """A qualification form in progress; a modal's private_metadata holds only its id."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    # "new" drafts become a handoff on submit; "edit" drafts revise `handoff_id`.
    mode: Mapped[str] = mapped_column(String(8), default="new")
    step: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped whenever the step or the people change; a modal carries the step and rev it
    # shows, so a second copy of a submission or a click is recognised as stale.
    rev: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    view_id: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_drafts_user", "team_id", "user_id", "updated_at"),)


class OutboxRow(Base):
    """Every Slack side effect, written in the transaction that caused it and sent after.

    `key` is unique. A message ("decision_dm:12:0") is inserted once and sent once, its
    channel and ts recorded. A sync ("brief:12:0", "home:T1:U1") is re-armed by every change
    (`generation` + 1) and stays `pending` until the generation it rendered is the latest.
    A sender claims a row by setting `lease_until`; a row whose lease ran out was left by a
    sender that died, and whoever takes it over first looks for what that sender posted.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    # A message about a booking not (yet) qualified: the SDR's "qualify it" DM.
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE", name="fk_outbox_booking")
    )
    level: Mapped[int] = mapped_column(Integer, default=0)
    recipient: Mapped[str] = mapped_column(String(32), default="")
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    available_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        # Partial: the sweep reads only what is still to send, oldest first.
        Index(
            "ix_outbox_due",
            "available_at",
            "id",
            sqlite_where=text("pending"),
            postgresql_where=text("pending"),
        ),
        Index("ix_outbox_handoff", "handoff_id", "kind"),
    )


class DigestRow(Base):
    """Ledger of weekly digests: one row per period, claimed before anything is sent.

    `team_id` is the scope of the digest ("all": every handoff the bot knows).
    """

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    # Each takeover of a failed or crashed send; the ledger stops retrying after a few.
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("team_id", "period_start", name="uq_digests_period"),)


class SlackEventRow(Base):
    """Events API deliveries already handled, by event id: Slack retries one it thinks was
    lost (`X-Slack-Retry-Num`), and a retry of a handled event must change nothing. Rows
    older than a day are deleted by the sweep (Slack stops retrying within the hour)."""

    __tablename__ = "slack_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("team_id", "event_id", name="uq_slack_events_once"),
        Index("ix_slack_events_received", "received_at"),
    )


class LeaseRow(Base):
    """Who runs the scheduled sweeps now, where the database has no advisory locks (SQLite)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class InboxRow(Base):
    """Every delivery a booking tool made, kept before it is answered: a crash after the 200
    loses nothing, and a replay of one (same tool, same external id) is stored once.
    `processed_at` stays empty until the delivery changed the bookings; the sweep takes up
    whatever is left (`attempts`, `error`: the tries that failed)."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tool: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    retry_at: Mapped[datetime | None]  # a failed delivery waits until then (back-off)

    __table_args__ = (
        UniqueConstraint("team_id", "tool", "external_id", name="uq_inbox_delivery"),
        Index(
            "ix_inbox_unprocessed",
            "id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
    )


class BookingRow(Base):
    """A meeting booked in a scheduling tool, one row however often it is rescheduled.

    `booking_key` is the tool's id of the booking as it is now (a Calendly invitee URI, a
    Cal.com uid); a reschedule moves it to the new id and keeps the old one in
    `previous_key`, so a late delivery about either finds this row."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    tool: Mapped[str] = mapped_column(String(16))
    booking_key: Mapped[str] = mapped_column(String(300))
    previous_key: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))  # booked, canceled
    booked_by_email: Mapped[str | None] = mapped_column(String(254))
    sdr_id: Mapped[str | None] = mapped_column(String(32))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    meeting_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    campaign: Mapped[str] = mapped_column(String(200), default="")
    event_name: Mapped[str] = mapped_column(String(200), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    booked_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    canceled_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    # When the SDR is reminded of it if still unqualified; NULL once reminded or moot.
    remind_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("team_id", "tool", "booking_key", name="uq_bookings_key"),
        Index("ix_bookings_previous", "team_id", "tool", "previous_key"),
        Index("ix_bookings_sdr", "team_id", "sdr_id", "status"),
        Index("ix_bookings_draft", "draft_id"),
        Index(
            "ix_bookings_remind_at",
            "remind_at",
            "id",
            sqlite_where=text("remind_at IS NOT NULL"),
            postgresql_where=text("remind_at IS NOT NULL"),
        ),
    )


class PersonRow(Base):
    """Who a booker's email is in Slack: set by hand (`handoff people map`, `how` =
    "manual", never overwritten by a lookup) or found by users.lookupByEmail ("lookup")."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    how: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime]


class CrmRecordRow(Base):
    """An object written to a CRM for a handoff, by the id the CRM gave it: one per
    (handoff, CRM, object type), so a retry updates it instead of creating another."""

    __tablename__ = "crm_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    crm: Mapped[str] = mapped_column(String(16))  # "hubspot"
    object_type: Mapped[str] = mapped_column(String(32))  # handoff.crm.Record
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("handoff_id", "crm", "object_type", name="uq_crm_records_object"),
        Index("ix_crm_records_team", "team_id", "handoff_id"),
    )


class WebhookDeliveryRow(Base):
    """One event for one outgoing webhook: the body as it was when the change happened (a
    replay sends the same bytes and idempotency id), and what the last try got."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    webhook: Mapped[str] = mapped_column(String(64))  # its name in the team's TOML
    url: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(40))
    idempotency_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    armed_at: Mapped[datetime]  # created or replayed: tries stop 24 hours after it
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    last_tried_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    gave_up_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("idempotency_id", name="uq_webhook_deliveries_idempotency"),
        Index("ix_webhook_deliveries_team", "team_id", "id"),
    )
