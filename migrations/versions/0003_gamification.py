"""gamification: board score change marks, redemptions, reward counters, badge assertions

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("board_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.create_index("ix_board_scores_changes", ["board", "period", "seq"], unique=False)

    op.create_table(
        "redemptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fan_id", sa.String(length=200), nullable=False),
        sa.Column("reward_id", sa.String(length=100), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
        sa.UniqueConstraint("request_key", name=op.f("uq_redemptions_request_key")),
    )
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.create_index("ix_redemptions_fan_reward", ["fan_id", "reward_id", "status"], unique=False)

    op.create_table(
        "reward_counters",
        sa.Column("reward_id", sa.String(length=100), nullable=False),
        sa.Column("redeemed", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reward_id", name=op.f("pk_reward_counters")),
    )

    op.create_table(
        "badge_assertions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("fan_id", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("badge_id", sa.String(length=100), nullable=False),
        sa.Column("identity_type", sa.String(length=16), nullable=False),
        sa.Column("identity", sa.String(length=300), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revocation_reason", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_assertions")),
        sa.UniqueConstraint(
            "fan_id",
            "campaign_id",
            "badge_id",
            "identity",
            name=op.f("uq_badge_assertions_fan_id_campaign_id_badge_id_identity"),
        ),
    )
    with op.batch_alter_table("badge_assertions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_assertions_fan_id"), ["fan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("badge_assertions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_assertions_fan_id"))
    op.drop_table("badge_assertions")
    op.drop_table("reward_counters")
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_redemptions_fan_reward")
    op.drop_table("redemptions")
    with op.batch_alter_table("board_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_board_scores_changes")
        batch_op.drop_column("seq")
