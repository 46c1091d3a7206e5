"""read models and personal data

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 23:22:10.154665
"""
from alembic import op
import sqlalchemy as sa
import server.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('erased_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('projection_tracking',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('rm_macro_areas',
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('key_points', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('plan_key', 'code')
    )
    op.create_table('rm_objectives',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('macro_area', sa.String(length=32), nullable=False),
    sa.Column('tavolo', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_position', sa.Integer(), nullable=False),
    sa.Column('updated_position', sa.Integer(), nullable=False),
    sa.Column('updated_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_key', 'ref')
    )
    with op.batch_alter_table('rm_objectives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_objectives_plan_key'), ['plan_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_objectives_tavolo'), ['tavolo'], unique=False)

    op.create_table('rm_organisations',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    sa.UniqueConstraint('id')
    )
    op.create_table('rm_plans',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('ambito', sa.String(length=300), nullable=False),
    sa.Column('period_from', sa.Integer(), nullable=False),
    sa.Column('period_to', sa.Integer(), nullable=False),
    sa.Column('lead_body', sa.String(length=300), nullable=True),
    sa.Column('managing_agency', sa.String(length=300), nullable=True),
    sa.Column('municipalities', sa.JSON(), nullable=False),
    sa.Column('sub_areas', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('approvals', sa.JSON(), nullable=False),
    sa.Column('organisations', sa.JSON(), nullable=False),
    sa.Column('leps', sa.JSON(), nullable=False),
    sa.Column('evaluations', sa.JSON(), nullable=False),
    sa.Column('source', sa.JSON(), nullable=True),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    sa.UniqueConstraint('id')
    )
    op.create_table('rm_proposal_comments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('proposal_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=36), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rm_proposal_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_proposal_comments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('rm_proposal_supports',
    sa.Column('proposal_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('proposal_id', 'user_id')
    )
    op.create_table('rm_proposals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('tavolo', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('objective_id', sa.String(length=36), nullable=True),
    sa.Column('macro_area', sa.String(length=32), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('base_values', sa.JSON(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=True),
    sa.Column('author', sa.String(length=36), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('revisions', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_position', sa.Integer(), nullable=False),
    sa.Column('updated_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rm_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_proposals_author'), ['author'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_proposals_objective_id'), ['objective_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_proposals_plan_key'), ['plan_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_proposals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rm_proposals_tavolo'), ['tavolo'], unique=False)

    op.create_table('rm_role_changes',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('change', sa.String(length=8), nullable=False),
    sa.Column('plan_key', sa.String(length=64), nullable=True),
    sa.Column('tavolo_key', sa.String(length=64), nullable=True),
    sa.Column('actor', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('position')
    )
    with op.batch_alter_table('rm_role_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_role_changes_user_id'), ['user_id'], unique=False)

    op.create_table('rm_tavoli',
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('macro_areas', sa.JSON(), nullable=False),
    sa.Column('mandate', sa.Text(), nullable=True),
    sa.Column('organisations', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('plan_key', 'key'),
    sa.UniqueConstraint('id')
    )
    op.create_table('rm_tavolo_members',
    sa.Column('plan_key', sa.String(length=64), nullable=False),
    sa.Column('tavolo_key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('since_position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('plan_key', 'tavolo_key', 'user_id')
    )
    with op.batch_alter_table('rm_tavolo_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_tavolo_members_user_id'), ['user_id'], unique=False)

    op.create_table('rm_users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('registered_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registered_position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rm_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rm_users_organisation'), ['organisation'], unique=False)

    op.create_table('api_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['people.user_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('invitations',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['people.user_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_user_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('rm_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_users_organisation'))

    op.drop_table('rm_users')
    with op.batch_alter_table('rm_tavolo_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_tavolo_members_user_id'))

    op.drop_table('rm_tavolo_members')
    op.drop_table('rm_tavoli')
    with op.batch_alter_table('rm_role_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_role_changes_user_id'))

    op.drop_table('rm_role_changes')
    with op.batch_alter_table('rm_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_proposals_tavolo'))
        batch_op.drop_index(batch_op.f('ix_rm_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_rm_proposals_plan_key'))
        batch_op.drop_index(batch_op.f('ix_rm_proposals_objective_id'))
        batch_op.drop_index(batch_op.f('ix_rm_proposals_author'))

    op.drop_table('rm_proposals')
    op.drop_table('rm_proposal_supports')
    with op.batch_alter_table('rm_proposal_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_proposal_comments_proposal_id'))

    op.drop_table('rm_proposal_comments')
    op.drop_table('rm_plans')
    op.drop_table('rm_organisations')
    with op.batch_alter_table('rm_objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rm_objectives_tavolo'))
        batch_op.drop_index(batch_op.f('ix_rm_objectives_plan_key'))

    op.drop_table('rm_objectives')
    op.drop_table('rm_macro_areas')
    op.drop_table('projection_tracking')
    op.drop_table('people')
