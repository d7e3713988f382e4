"""digest: indexes for the weekly digest's windows, retry bookkeeping in the digests ledger

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_handoffs_submitted", ["submitted_at"]),
    ("ix_handoffs_decided", ["decided_at"]),
    ("ix_handoffs_meeting", ["meeting_at"]),
)
DISPUTED = "dispute_status IS NOT NULL"


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "handoffs", columns)
    # Partial: only the few disputed handoffs, so the planner sees how selective it is.
    op.create_index(
        "ix_handoffs_dispute",
        "handoffs",
        ["dispute_status"],
        sqlite_where=sa.text(DISPUTED),
        postgresql_where=sa.text(DISPUTED),
    )
    with op.batch_alter_table("digests") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("last_error", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digests") as batch:
        batch.drop_column("last_error")
        batch.drop_column("attempts")
    op.drop_index("ix_handoffs_dispute", table_name="handoffs")
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="handoffs")
