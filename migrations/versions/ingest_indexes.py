"""perf: index badge grants by seq (each ingest batch reads the highest seq of the table)

Revision ID: ingest_indexes
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ingest_indexes"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("badge_grants", schema=None) as batch_op:
        batch_op.create_index("ix_badge_grants_seq", ["seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("badge_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_badge_grants_seq")
