"""monitoring: sentiment label on events, listening aggregates, influencers, interests

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sentiment_label", sa.String(length=8), nullable=True))

    op.create_table('fan_interests',
    sa.Column('fan_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('fan_id', 'kind', 'term', name=op.f('pk_fan_interests'))
    )
    op.create_table('influencer_flags',
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('author', name=op.f('pk_influencer_flags'))
    )
    op.create_table('influencer_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_influencer_reviews'))
    )
    with op.batch_alter_table('influencer_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_influencer_reviews_author'), ['author'], unique=False)

    op.create_table('listening_days',
    sa.Column('campaign', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Integer(), nullable=False),
    sa.Column('neutral', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'day', name=op.f('pk_listening_days'))
    )
    op.create_table('listening_terms',
    sa.Column('campaign', sa.String(length=100), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign', 'day', 'kind', 'term', name=op.f('pk_listening_terms'))
    )
    op.create_table('monitor_author_days',
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Integer(), nullable=False),
    sa.Column('negative', sa.Integer(), nullable=False),
    sa.Column('engagement', sa.BigInteger(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('reach', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('author', 'day', name=op.f('pk_monitor_author_days'))
    )
    with op.batch_alter_table('monitor_author_days', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_author_days_day', ['day'], unique=False)

    op.create_table('monitor_authors',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=True),
    sa.Column('profile_key', sa.String(length=200), nullable=True),
    sa.Column('followers', sa.BigInteger(), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_monitor_authors'))
    )
    op.create_table('monitor_cursors',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_monitor_cursors'))
    )
    op.create_table('monitor_share_edges',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'target', name=op.f('pk_monitor_share_edges'))
    )


def downgrade() -> None:

    op.drop_table('monitor_share_edges')
    op.drop_table('monitor_cursors')
    op.drop_table('monitor_authors')
    with op.batch_alter_table('monitor_author_days', schema=None) as batch_op:
        batch_op.drop_index('ix_monitor_author_days_day')

    op.drop_table('monitor_author_days')
    op.drop_table('listening_terms')
    op.drop_table('listening_days')
    with op.batch_alter_table('influencer_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_influencer_reviews_author'))

    op.drop_table('influencer_reviews')
    op.drop_table('influencer_flags')
    op.drop_table('fan_interests')
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("sentiment_label")
