"""perf: index board scores by fan (ingestion loads a batch's fans' scores by fan_id)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("board_scores", schema=None) as batch_op:
        batch_op.create_index("ix_board_scores_fan_id", ["fan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("board_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_board_scores_fan_id")
