"""bookings: meetings booked in a scheduling tool start the handoff

`inbox` keeps every delivery a booking tool made (tool, external id, body) before it is
answered, so a crash after the 200 loses nothing and a replay is stored once. `bookings`
holds one row per booked meeting, however often it is rescheduled. `people` maps a
booker's email to a Slack user (by hand, or found by users.lookupByEmail). The outbox gets
`booking_id` for the SDR's "qualify it" DM, which is about a booking, not yet a handoff.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPROCESSED = "processed_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tool", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "tool", "external_id", name="uq_inbox_delivery"),
    )
    op.create_index(
        "ix_inbox_unprocessed",
        "inbox",
        ["id"],
        sqlite_where=sa.text(UNPROCESSED),
        postgresql_where=sa.text(UNPROCESSED),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("tool", sa.String(length=16), nullable=False),
        sa.Column("booking_key", sa.String(length=300), nullable=False),
        sa.Column("previous_key", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("booked_by_email", sa.String(length=254), nullable=True),
        sa.Column("sdr_id", sa.String(length=32), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("meeting_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("campaign", sa.String(length=200), nullable=False),
        sa.Column("event_name", sa.String(length=200), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("no_show_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "tool", "booking_key", name="uq_bookings_key"),
    )
    op.create_index("ix_bookings_previous", "bookings", ["team_id", "tool", "previous_key"])
    op.create_index("ix_bookings_sdr", "bookings", ["team_id", "sdr_id", "status"])
    op.create_index("ix_bookings_draft", "bookings", ["draft_id"])
    op.create_table(
        "people",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("how", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "email"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_outbox_booking", "bookings", ["booking_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE booking_id IS NOT NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_booking", type_="foreignkey")
        batch.drop_column("booking_id")
    op.drop_table("people")
    op.drop_index("ix_bookings_draft", table_name="bookings")
    op.drop_index("ix_bookings_sdr", table_name="bookings")
    op.drop_index("ix_bookings_previous", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_inbox_unprocessed", table_name="inbox")
    op.drop_table("inbox")
