"""outbox: every Slack side effect as a row written with the change that caused it

The reminders ledger becomes the outbox: each of its rows moves over under the key
"kind:handoff:level" (unsent ones stay pending), and every brief Slack was behind on
gets a pending brief row, so an upgrade loses nothing that was still to send.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "pending"


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["available_at", "id"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )
    op.create_index("ix_outbox_handoff", "outbox", ["handoff_id", "kind"])
    # Concatenation and booleans spelled so the same SQL runs on SQLite and PostgreSQL.
    op.execute(
        """
        INSERT INTO outbox (team_id, key, kind, handoff_id, level, recipient, pending,
                            generation, available_at, lease_until, attempts, last_error,
                            created_at, sent_at, channel, ts)
        SELECT h.team_id, r.kind || ':' || CAST(r.handoff_id AS VARCHAR(20)) || ':'
                   || CAST(r.level AS VARCHAR(20)),
               r.kind, r.handoff_id, r.level, r.recipient, r.sent_at IS NULL,
               1, r.claimed_at, NULL, r.attempts, r.last_error,
               r.claimed_at, r.sent_at, r.channel, r.ts
        FROM reminders r JOIN handoffs h ON h.id = r.handoff_id
        WHERE r.kind <> 'brief'
        """
    )
    op.execute(
        """
        INSERT INTO outbox (team_id, key, kind, handoff_id, level, recipient, pending,
                            generation, available_at, lease_until, attempts, last_error,
                            created_at, sent_at, channel, ts)
        SELECT h.team_id, 'brief:' || CAST(h.id AS VARCHAR(20)) || ':' || '0', 'brief', h.id, 0, '',
               h.brief_synced_version < h.brief_version, 1, h.updated_at, NULL,
               -- A claimed, unrecorded post may have reached Slack: look before posting.
               CASE WHEN EXISTS (SELECT 1 FROM reminders r WHERE r.handoff_id = h.id
                                 AND r.kind = 'brief' AND r.sent_at IS NULL) THEN 1 ELSE 0 END,
               NULL, h.submitted_at, h.posted_at, h.brief_channel, h.brief_ts
        FROM handoffs h
        """
    )
    op.drop_table("reminders")


def downgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("handoff_id", "kind", "level", name="uq_reminders_once"),
    )
    op.create_index("ix_reminders_unsent", "reminders", ["sent_at", "claimed_at"])
    op.execute(
        """
        INSERT INTO reminders (handoff_id, kind, level, recipient, claimed_at, sent_at,
                               channel, ts, attempts, last_error)
        SELECT handoff_id, kind, level, recipient, created_at, sent_at, channel, ts,
               attempts, last_error
        FROM outbox
        WHERE handoff_id IS NOT NULL AND kind IN ('brief', 'decision_dm', 'chase_reminder',
              'chase_escalation', 'chase_outcome', 'outcome_thread', 'outcome_sdr',
              'reassign_thread', 'nudge', 'dispute', 'dispute_result', 'dispute_thread')
              -- a brief's row stands for a ledger claim once posted or tried
              AND (kind <> 'brief' OR sent_at IS NOT NULL OR attempts > 0)
        """
    )
    op.drop_index("ix_outbox_handoff", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
