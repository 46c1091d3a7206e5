"""history files an objective's registration and renames under its tavolo, names the proposal whose
approval reopened an objective, and links a new-objective proposal's events to the objective it created

Same table, different rows: the history is emptied and its projection starts again from position
0 (the other read models keep their positions), so the next projector run refills it from the log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 08:00:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _refill_history() -> None:
    op.execute("DELETE FROM rm_history")
    op.execute("DELETE FROM rm_history_subjects")
    op.execute("DELETE FROM projection_tracking WHERE name = 'history'")  # recreated at 0 on start


def upgrade() -> None:
    _refill_history()


def downgrade() -> None:
    _refill_history()
