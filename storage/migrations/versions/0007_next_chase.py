"""next_chase: when the sweep must look at a handoff again, so it reads only due work

Every handoff that may still be chased is due at once after the upgrade: the first sweep
times each of them and stores when to look again (or nothing, when no chase is left).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEDULED = "next_chase_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("next_chase_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_handoffs_next_chase",
        "handoffs",
        ["next_chase_at", "id"],
        sqlite_where=sa.text(SCHEDULED),
        postgresql_where=sa.text(SCHEDULED),
    )
    op.execute(
        """
        UPDATE handoffs SET next_chase_at = updated_at
        WHERE (status = 'pending' AND brief_ts IS NOT NULL)
           OR (status = 'accepted' AND (outcome IS NULL OR outcome = 'rescheduled'))
        """
    )


def downgrade() -> None:
    op.drop_index("ix_handoffs_next_chase", table_name="handoffs")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("next_chase_at")
