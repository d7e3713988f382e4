"""crm: what a handoff created in the CRM, and the webhooks sent about it

`crm_records` keeps the id the CRM gave each object written for a handoff (company,
contact, meeting, note, deal), so a retry updates what is there instead of creating it
twice. `webhook_deliveries` is the outgoing webhooks' log: the body as it was when the
change happened (a replay sends the same bytes and idempotency id), and each try's result;
`armed_at` is when it was last armed (created or replayed): tries stop 24 hours after it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("crm", sa.String(length=16), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handoff_id", "crm", "object_type", name="uq_crm_records_object"),
    )
    op.create_index("ix_crm_records_team", "crm_records", ["team_id", "handoff_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("webhook", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("idempotency_id", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("armed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("gave_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_id", name="uq_webhook_deliveries_idempotency"),
    )
    op.create_index("ix_webhook_deliveries_team", "webhook_deliveries", ["team_id", "id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind IN ('crm', 'crm_problem', 'webhook')")
    op.drop_index("ix_webhook_deliveries_team", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_crm_records_team", table_name="crm_records")
    op.drop_table("crm_records")
