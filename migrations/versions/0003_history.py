"""history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:31:02.159085
"""
from alembic import op
import sqlalchemy as sa
import server.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_history',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=True),
    sa.Column('tavolo', sa.String(length=64), nullable=True),
    sa.Column('objective_id', sa.String(length=36), nullable=True),
    sa.Column('objective_ref', sa.String(length=64), nullable=True),
    sa.Column('proposal_id', sa.String(length=36), nullable=True),
    sa.Column('actor', sa.String(length=36), nullable=True),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('position')
    )
    with op.batch_alter_table('rm_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_history_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_history_aggregate_id'), ['aggregate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_history_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_history_plan_key'), ['plan_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_history_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_history_tavolo'), ['tavolo'], unique=False)

    op.create_table('rm_history_subjects',
    sa.Column('aggregate_id', sa.String(length=36), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=True),
    sa.Column('tavolo', sa.String(length=64), nullable=True),
    sa.Column('objective_id', sa.String(length=36), nullable=True),
    sa.Column('objective_ref', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('aggregate_id')
    )


def downgrade() -> None:
    op.drop_table('rm_history_subjects')
    with op.batch_alter_table('rm_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_history_tavolo'))
        batch_op.drop_index(batch_op.f('ix_rm_history_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_rm_history_plan_key'))
        batch_op.drop_index(batch_op.f('ix_rm_history_objective_id'))
        batch_op.drop_index(batch_op.f('ix_rm_history_aggregate_id'))
        batch_op.drop_index(batch_op.f('ix_rm_history_actor'))

    op.drop_table('rm_history')
