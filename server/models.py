"""Every table the project owns, imported in one place for Alembic and `create_all`."""
from server.people import ApiToken, Invitation, Person
from server.projections import (chain, checkpoints, directory, history, meetings, objectives, plans,  # noqa: F401
                                proposals, roles)
from server.projections.base import ProjectionTracking

__all__ = ["ApiToken", "Invitation", "Person", "ProjectionTracking"]
