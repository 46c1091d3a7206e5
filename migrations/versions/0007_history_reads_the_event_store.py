"""history rows no longer keep a copy of each event (its state and topic): readers take it from the event store

The other columns keep their meaning, so the rows stay; only the copy goes. Downgrading cannot bring
the copies back from here: the history is emptied and its projection starts again from position 0,
so the next projector run refills it from the event log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rm_history') as batch:
        batch.drop_column('state')
        batch.drop_column('topic')


def downgrade() -> None:
    op.execute("DELETE FROM rm_history")
    op.execute("DELETE FROM rm_history_subjects")
    op.execute("DELETE FROM projection_tracking WHERE name = 'history'")  # recreated at 0 on start
    with op.batch_alter_table('rm_history') as batch:
        batch.add_column(sa.Column('topic', sa.String(length=200), nullable=False))
        batch.add_column(sa.Column('state', sa.LargeBinary(), nullable=False))
