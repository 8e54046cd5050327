"""tracked share links and their click-backs

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_links",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("fan_id", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("target_url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["fan_id"], ["fans.id"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_tracked_links_campaign_id", "tracked_links", ["campaign_id"])
    op.create_index("ix_tracked_links_fan_campaign", "tracked_links", ["fan_id", "campaign_id"])
    op.create_table(
        "link_clicks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["tracked_links.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", "day", "visitor"),
    )
    op.create_index("ix_link_clicks_code", "link_clicks", ["code"])


def downgrade() -> None:
    op.drop_index("ix_link_clicks_code", table_name="link_clicks")
    op.drop_table("link_clicks")
    op.drop_index("ix_tracked_links_fan_campaign", table_name="tracked_links")
    op.drop_index("ix_tracked_links_campaign_id", table_name="tracked_links")
    op.drop_table("tracked_links")
