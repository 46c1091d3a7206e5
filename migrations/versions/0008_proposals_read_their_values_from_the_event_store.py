"""proposals keep the names of the fields they change and the position of the event with their values,
which readers take from the event store, instead of a copy of the changes and base values

Existing rows have no such position: the proposals projection (its three tables) is emptied and starts
again from position 0, so the next projector run refills it from the event log; so does a downgrade.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _forget_proposals() -> None:
    for table in ('rm_proposals', 'rm_proposal_comments', 'rm_proposal_supports'):
        op.execute(f"DELETE FROM {table}")
    op.execute("DELETE FROM projection_tracking WHERE name = 'proposals'")  # recreated at 0 on start


def upgrade() -> None:
    _forget_proposals()
    with op.batch_alter_table('rm_proposals') as batch:
        batch.drop_column('changes')
        batch.drop_column('base_values')
        batch.add_column(sa.Column('fields', sa.JSON(), nullable=False))
        batch.add_column(sa.Column('content_position', sa.Integer(), nullable=False))


def downgrade() -> None:
    _forget_proposals()
    with op.batch_alter_table('rm_proposals') as batch:
        batch.drop_column('fields')
        batch.drop_column('content_position')
        batch.add_column(sa.Column('changes', sa.JSON(), nullable=False))
        batch.add_column(sa.Column('base_values', sa.JSON(), nullable=False))
