"""history keeps each event's state as stored (decoded when read) instead of re-encoded data and summary

The history is a read model: its table is recreated in the new shape and its projection starts
again from position 0 (the other read models keep their positions), so the next projector run
refills it from the event log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 02:30:00
"""
from alembic import op
import sqlalchemy as sa
import server.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

INDEXED = ('actor', 'aggregate_id', 'objective_id', 'plan_key', 'proposal_id', 'tavolo')


def _forget_history() -> None:
    op.execute("DELETE FROM rm_history_subjects")
    op.execute("DELETE FROM projection_tracking WHERE name = 'history'")  # recreated at 0 on start


def _recreate_history(*what: sa.Column) -> None:
    """rm_history again, empty, with `what` (the event) after the columns both shapes share."""
    op.drop_table('rm_history')
    op.create_table('rm_history',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    *[c for c in what if c.name == 'topic'],
    sa.Column('aggregate_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=True),
    sa.Column('tavolo', sa.String(length=64), nullable=True),
    sa.Column('objective_id', sa.String(length=36), nullable=True),
    sa.Column('objective_ref', sa.String(length=64), nullable=True),
    sa.Column('proposal_id', sa.String(length=36), nullable=True),
    sa.Column('actor', sa.String(length=36), nullable=True),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    *[c for c in what if c.name != 'topic'],
    sa.PrimaryKeyConstraint('position')
    )
    for column in INDEXED:
        op.create_index(op.f(f'ix_rm_history_{column}'), 'rm_history', [column], unique=False)
    _forget_history()


def upgrade() -> None:
    _recreate_history(sa.Column('topic', sa.String(length=200), nullable=False),
                      sa.Column('state', sa.LargeBinary(), nullable=False))


def downgrade() -> None:
    _recreate_history(sa.Column('summary', sa.Text(), nullable=False), sa.Column('data', sa.JSON(), nullable=False))
