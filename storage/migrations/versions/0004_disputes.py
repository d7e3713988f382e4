"""disputes: an SDR contests a rejection once; a manager upholds or overturns it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("dispute_status", sa.String(16)),
    ("dispute_case", sa.Text()),
    ("disputed_at", sa.DateTime(timezone=True)),
    ("dispute_resolved_at", sa.DateTime(timezone=True)),
    ("dispute_resolved_by", sa.String(32)),
)


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
