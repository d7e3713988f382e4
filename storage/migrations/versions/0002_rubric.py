"""rubric: the wizard's extra answers, per-criterion results, edit drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(
            sa.Column("contact_email", sa.String(254), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("website", sa.String(300), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("current_solution", sa.Text(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("trigger", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("next_steps_status", sa.String(50), nullable=False, server_default="agreed")
        )
        batch.add_column(
            sa.Column("intent_signals", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("fit_answers", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("clears_bar", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_column("criteria")
    op.create_table(
        "criterion_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(40), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("must_meet", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handoff_id", "criterion", name="uq_criterion_results"),
    )
    op.create_index("ix_criterion_results_criterion", "criterion_results", ["criterion", "met"])
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("mode", sa.String(8), nullable=False, server_default="new"))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("mode")
    op.drop_index("ix_criterion_results_criterion", table_name="criterion_results")
    op.drop_table("criterion_results")
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("criteria", sa.JSON(), nullable=True))
        for column in (
            "edited_at",
            "clears_bar",
            "fit_answers",
            "intent_signals",
            "next_steps_status",
            "trigger",
            "current_solution",
            "website",
            "contact_email",
        ):
            batch.drop_column(column)
