"""duplicates: a wizard step is keyed on the view it came from; events are handled once

`drafts.rev` counts the changes of step (or people) so a second copy of a submission or a
click is recognised as stale. `slack_events` remembers the Events API deliveries handled, by
event id, for a day.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("rev", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "slack_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "event_id", name="uq_slack_events_once"),
    )
    op.create_index("ix_slack_events_received", "slack_events", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_events_received", table_name="slack_events")
    op.drop_table("slack_events")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("rev")
