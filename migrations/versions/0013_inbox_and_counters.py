"""the inbox workers drain, its partitions, and the engine's counters

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=300), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gate", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_inbox_event_id")),
    )
    op.create_index("ix_inbox_part_order", "inbox", ["part", "at", "event_id"])
    op.create_index("ix_inbox_gate_order", "inbox", ["gate", "at", "event_id"])
    op.create_table(
        "inbox_partitions",
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("part", name=op.f("pk_inbox_partitions")),
    )
    counters = op.create_table(
        "engine_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_engine_counters")),
    )
    # Numbers go on from the highest one handed out before the counter existed.
    highest = op.get_bind().execute(
        sa.text(
            "SELECT max(v) FROM (SELECT max(seq) AS v FROM ledger UNION ALL "
            "SELECT max(seq) FROM badge_grants UNION ALL SELECT max(seq) FROM events) AS s"
        )
    ).scalar()
    op.bulk_insert(counters, [{"name": "seq", "value": highest or 0}])


def downgrade() -> None:
    op.drop_table("engine_counters")
    op.drop_table("inbox_partitions")
    op.drop_index("ix_inbox_gate_order", table_name="inbox")
    op.drop_index("ix_inbox_part_order", table_name="inbox")
    op.drop_table("inbox")
