"""booking measures: how long a booking took to be qualified, and its reminder

`handoffs.seconds_from_booking` is the time from the booking tool's delivery to the handoff
sent from it (NULL for a handoff typed with /handoff). `bookings.remind_at` is when the SDR
is reminded of a booking still unqualified before its meeting (NULL once reminded, or when
nothing is to remind), indexed so the sweep reads only what is due. `inbox.retry_at` is
when a delivery that failed is tried again (a growing back-off), so one that keeps failing
does not hold back the rest.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE = "remind_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("seconds_from_booking", sa.Integer(), nullable=True))
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_bookings_remind_at",
        "bookings",
        ["remind_at", "id"],
        sqlite_where=sa.text(DUE),
        postgresql_where=sa.text(DUE),
    )
    # Bookings already qualified: their handoff's time from booking, from the two rows.
    op.execute(
        "UPDATE handoffs SET seconds_from_booking = ("
        " SELECT CAST(ROUND((julianday(handoffs.submitted_at) - julianday(b.booked_at))"
        " * 86400) AS INTEGER) FROM bookings b WHERE b.handoff_id = handoffs.id)"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE handoffs h SET seconds_from_booking ="
        " CAST(EXTRACT(EPOCH FROM h.submitted_at - b.booked_at) AS INTEGER)"
        " FROM bookings b WHERE b.handoff_id = h.id"
    )


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("retry_at")
    op.drop_index("ix_bookings_remind_at", table_name="bookings")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("remind_at")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("seconds_from_booking")
