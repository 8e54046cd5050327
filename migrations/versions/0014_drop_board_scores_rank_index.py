"""Drop the board scores index by points, which no query reads any more

Ranks come from the in-process rank indexes (storage/leaderboards.py), which load a
board period by its key and follow changes by `seq`; the index by (board, period,
points) was kept current on every score a batch wrote (about 1.4 per event, each an
update that no HOT update can spare) and read by nothing.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("board_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_board_scores_rank")


def downgrade() -> None:
    with op.batch_alter_table("board_scores", schema=None) as batch_op:
        batch_op.create_index("ix_board_scores_rank", ["board", "period", "points"], unique=False)
