"""Read models: each module projects events into its own tables, and nothing else writes them."""
from server.projections.directory import DirectoryProjection
from server.projections.plans import PlansProjection
from server.projections.roles import RoleHistoryProjection


def all_projections():
    """Fresh instances of every projection, in the order they are applied to each event."""
    return [DirectoryProjection(), PlansProjection(), RoleHistoryProjection()]
