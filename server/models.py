"""Every table the project owns, imported in one place for Alembic and `create_all`."""
from server.people import ApiToken, Invitation, Person
from server.projections import directory, meetings, objectives, plans, proposals, roles  # noqa: F401
from server.projections.base import ProjectionTracking

__all__ = ["ApiToken", "Invitation", "Person", "ProjectionTracking"]
