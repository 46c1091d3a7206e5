"""meetings: sessions of the tavoli (rm_meetings, rm_meeting_attendance, rm_meeting_contributions)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:27:19.651862
"""
from alembic import op
import sqlalchemy as sa
import server.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rm_meeting_attendance',
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=36), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('meeting_id', 'organisation')
    )
    op.create_table('rm_meeting_contributions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('meeting_id', sa.String(length=36), nullable=False),
    sa.Column('quadrant', sa.String(length=32), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('objective_ids', sa.JSON(), nullable=False),
    sa.Column('proposal_ids', sa.JSON(), nullable=False),
    sa.Column('author', sa.String(length=36), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('linked_position', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rm_meeting_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_meeting_contributions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_meeting_contributions_organisation'), ['organisation'], unique=False)

    op.create_table('rm_meetings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('tavolo', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.String(length=64), nullable=False),
    sa.Column('starts_at_utc', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sa.Text(), nullable=True),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('edited_minutes', sa.Text(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('convened_by', sa.String(length=36), nullable=False),
    sa.Column('convened_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('convened_position', sa.Integer(), nullable=False),
    sa.Column('updated_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_position', sa.Integer(), nullable=False),
    sa.Column('closed_by', sa.String(length=36), nullable=True),
    sa.Column('closed_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_position', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rm_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_meetings_plan_key'), ['plan_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_meetings_tavolo'), ['tavolo'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rm_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_meetings_tavolo'))
        batch_op.drop_index(batch_op.f('ix_rm_meetings_plan_key'))

    op.drop_table('rm_meetings')
    with op.batch_alter_table('rm_meeting_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_meeting_contributions_organisation'))
        batch_op.drop_index(batch_op.f('ix_rm_meeting_contributions_meeting_id'))

    op.drop_table('rm_meeting_contributions')
    op.drop_table('rm_meeting_attendance')
