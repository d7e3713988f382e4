"""rubric: the wizard's extra answers, per-criterion results, edit drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The rubric's results move from the `handoffs.criteria` JSON column to one `criterion_results`
row per criterion. This revision used to drop the column without moving what it held; it now
copies each handoff's criteria first (an object keyed by criterion, each value an object
of met, weight, must_meet and reason, or a bare met flag; a list of such objects with a
`criterion` key is read too) and the downgrade puts them back.

Databases that ran the earlier version of this revision lost those criteria: nothing here can
bring them back. On SQLite they lost more: the copy of `handoffs` that dropping a column takes
deleted, with foreign keys enforced, every person, event and ledger row of every handoff, and
unlinked the drafts (storage/migrations/env.py now turns enforcement off while migrating).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    _move_criteria_to_rows()
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
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("mode", sa.String(8), nullable=False, server_default="new"))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("mode")
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
    _move_rows_to_criteria()
    op.drop_index("ix_criterion_results_criterion", table_name="criterion_results")
    op.drop_table("criterion_results")


# -- moving the criteria between the two shapes --------------------------------------------------

BATCH = 500
# Read as text (the driver may still decode it) so a value that is not JSON cannot stop this.
_OLD = sa.table("handoffs", sa.column("id", sa.Integer), sa.column("criteria", sa.Text))
_HANDOFFS = sa.table("handoffs", sa.column("id", sa.Integer), sa.column("criteria", sa.JSON))
_RESULTS = sa.table(
    "criterion_results",
    sa.column("handoff_id", sa.Integer),
    sa.column("criterion", sa.String),
    sa.column("met", sa.Boolean),
    sa.column("weight", sa.Integer),
    sa.column("must_meet", sa.Boolean),
    sa.column("reason", sa.Text),
)


def _move_criteria_to_rows() -> None:
    conn = op.get_bind()
    last = 0
    while True:
        page = conn.execute(
            sa.select(_OLD.c.id, _OLD.c.criteria)
            .where(_OLD.c.id > last, _OLD.c.criteria.is_not(None))
            .order_by(_OLD.c.id)
            .limit(BATCH)
        ).all()
        if not page:
            return
        rows = [dict(r, handoff_id=h) for h, criteria in page for r in criterion_rows(criteria)]
        if rows:
            conn.execute(_RESULTS.insert(), rows)
        last = page[-1][0]


def criterion_rows(criteria: object) -> list[dict[str, object]]:
    """The rows one handoff's old `criteria` value holds; what cannot be read is left out."""
    if isinstance(criteria, str):  # JSON text a driver did not decode
        try:
            criteria = json.loads(criteria)
        except ValueError:
            return []
    if isinstance(criteria, list):
        criteria = {c.get("criterion", c.get("key")): c for c in criteria if isinstance(c, dict)}
    if not isinstance(criteria, dict):
        return []
    rows = []
    for key, value in criteria.items():
        if not isinstance(key, str) or not 0 < len(key) <= 40:
            continue
        result = value if isinstance(value, dict) else {"met": value}
        if not isinstance(result.get("met"), bool | int):
            continue
        weight = result.get("weight")
        rows.append(
            {
                "criterion": key,
                "met": bool(result["met"]),
                "weight": weight if isinstance(weight, int) and not isinstance(weight, bool) else 0,
                "must_meet": result.get("must_meet") is True,
                "reason": result["reason"] if isinstance(result.get("reason"), str) else "",
            }
        )
    return rows


def _move_rows_to_criteria() -> None:
    conn = op.get_bind()
    last = 0
    while True:
        ids = list(
            conn.scalars(
                sa.select(_RESULTS.c.handoff_id)
                .where(_RESULTS.c.handoff_id > last)
                .group_by(_RESULTS.c.handoff_id)
                .order_by(_RESULTS.c.handoff_id)
                .limit(BATCH)
            )
        )
        if not ids:
            return
        found: dict[int, dict[str, object]] = {}
        for r in conn.execute(sa.select(_RESULTS).where(_RESULTS.c.handoff_id.in_(ids))):
            found.setdefault(r.handoff_id, {})[r.criterion] = {
                "met": bool(r.met),
                "weight": r.weight,
                "must_meet": bool(r.must_meet),
                "reason": r.reason,
            }
        for handoff_id, criteria in found.items():
            conn.execute(
                _HANDOFFS.update().where(_HANDOFFS.c.id == handoff_id).values(criteria=criteria)
            )
        last = ids[-1]
