"""Read models: each module projects events into its own tables, and nothing else writes them.

Projections are applied in this order, in one transaction per batch; a projection may read the
tables of those before it.
"""
from server.projections.chain import ChainProjection
from server.projections.checkpoints import CheckpointsProjection
from server.projections.directory import DirectoryProjection
from server.projections.history import HistoryProjection
from server.projections.meetings import MeetingsProjection
from server.projections.objectives import ObjectivesProjection
from server.projections.plans import PlansProjection
from server.projections.proposals import ProposalsProjection
from server.projections.roles import RoleHistoryProjection


def all_projections():
    """Fresh instances of every projection, in the order they are applied to each event."""
    return [DirectoryProjection(), PlansProjection(), RoleHistoryProjection(), ObjectivesProjection(),
            ProposalsProjection(), MeetingsProjection(), HistoryProjection(), CheckpointsProjection(),
            ChainProjection()]


# A rebuild's lanes, one process each (server/projections/lanes.py): a projection goes with those whose
# tables it reads (`reads`), and each lane needs only some of the events decoded (`wants`).
LANES = (("directory", "history"), ("proposals", "meetings"),
         ("plans", "role_history", "objectives", "checkpoints", "chain"))
