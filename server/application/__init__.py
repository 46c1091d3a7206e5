"""The event-sourced application: one method per command, each returning its last position."""
from server.application.accounts import AccountCommands
from server.application.base import SYSTEM, CoprogrammaBase
from server.application.meetings import MeetingCommands
from server.application.planio import ImportCommands
from server.application.plans import PlanCommands
from server.application.proposals import ProposalCommands


class Coprogramma(MeetingCommands, ImportCommands, ProposalCommands, AccountCommands, PlanCommands, CoprogrammaBase):
    """Commands of the platform. Permissions are checked here, against the write model."""


__all__ = ["Coprogramma", "SYSTEM"]
