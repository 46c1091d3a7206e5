"""replay and audit: checkpoints of the folded plan states, hash chain over the event log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:41:13.020027
"""
from alembic import op
import sqlalchemy as sa
import server.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_chain',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('link', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('position')
    )
    op.create_table('rm_checkpoint_marks',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('position')
    )
    op.create_table('rm_checkpoints',
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('plan_key', 'position')
    )


def downgrade() -> None:
    op.drop_table('rm_checkpoints')
    op.drop_table('rm_checkpoint_marks')
    op.drop_table('rm_chain')
