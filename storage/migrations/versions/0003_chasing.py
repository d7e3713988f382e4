"""chasing: outcome details, reassignment, measures, and the sweep lease

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reassigned_ae_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reassigned_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reassigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outcome_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rescheduled_to", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("chase_round", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("seconds_to_decision", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seconds_to_outcome", sa.Integer(), nullable=True))
        batch_op.create_index("ix_handoffs_status_outcome", ["status", "outcome"], unique=False)

    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("leases")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index("ix_handoffs_status_outcome")
        batch_op.drop_column("seconds_to_outcome")
        batch_op.drop_column("seconds_to_decision")
        batch_op.drop_column("chase_round")
        batch_op.drop_column("rescheduled_to")
        batch_op.drop_column("outcome_by")
        batch_op.drop_column("reassigned_at")
        batch_op.drop_column("reassigned_by")
        batch_op.drop_column("reassigned_ae_id")
