"""A proposal: a change to some fields of one objective, or a new objective for a tavolo.

Its author revises or withdraws it; others comment and support it; a coordinator of the
tavolo (or an admin), never its author, approves, rejects or asks for changes.
"""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict, Forbidden

KINDS = ("amendment", "new_objective")
DECISIONS = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}
OPEN = ("open", "changes_requested")


class Proposal(Aggregate):
    class Created(Aggregate.Created):
        plan_key: str
        tavolo: str | None
        kind: str
        objective_id: str | None
        macro_area: str | None
        base_version: int | None
        changes: dict
        base_values: dict
        rationale: str | None
        author: str
        organisation: str | None

    @event(Created)
    def __init__(self, id: UUID, plan_key: str, tavolo: str | None, kind: str,  # noqa: A002
                 objective_id: str | None, macro_area: str | None, base_version: int | None,
                 changes: dict, base_values: dict, rationale: str | None, author: str,
                 organisation: str | None) -> None:
        self.plan_key, self.tavolo, self.kind = plan_key, tavolo, kind
        self.objective_id, self.macro_area = objective_id, macro_area
        self.base_version, self.changes, self.base_values = base_version, dict(changes), dict(base_values)
        self.rationale, self.author, self.organisation = rationale, author, organisation
        self.status = "open"
        self.supporters: list[str] = []
        self.comment_count = 0

    def _require_open(self, doing: str) -> None:
        if self.status not in OPEN:
            raise Conflict(f"Non si può {doing}: la proposta è «{self.status}»", {"status": self.status})

    def _require_author(self, actor: str, doing: str) -> None:
        if actor != self.author:
            raise Forbidden(f"Solo l'autore o l'autrice della proposta può {doing}")

    def require_revisable_by(self, actor: str) -> None:
        """Only the author revises, and only while the proposal is open (checked before anything else)."""
        self._require_author(actor, "rivederla")
        self._require_open("rivederla")

    def revise(self, base_version: int | None, changes: dict, base_values: dict, rationale: str | None,
               actor: str) -> None:
        self.require_revisable_by(actor)
        self._revise(base_version=base_version, changes=changes, base_values=base_values,
                     rationale=rationale, actor=actor)

    @event("Revised")
    def _revise(self, base_version: int | None, changes: dict, base_values: dict, rationale: str | None,
                actor: str) -> None:
        self.base_version, self.changes, self.base_values = base_version, dict(changes), dict(base_values)
        self.rationale = rationale
        self.status = "open"

    def withdraw(self, actor: str) -> None:
        self._require_author(actor, "ritirarla")
        self._require_open("ritirarla")
        self._withdraw(actor=actor)

    @event("Withdrawn")
    def _withdraw(self, actor: str) -> None:
        self.status = "withdrawn"

    @event("Commented")
    def comment(self, comment_id: str, text: str, actor: str, organisation: str | None) -> None:
        self.comment_count += 1

    def support(self, actor: str, organisation: str | None) -> None:
        if actor == self.author:
            raise Conflict("Chi ha scritto la proposta non può sostenerla: la sostiene già", {"user": actor})
        if actor in self.supporters:
            raise Conflict("Hai già sostenuto questa proposta", {"user": actor})
        self._require_open("sostenerla")
        self._support(actor=actor, organisation=organisation)

    @event("Supported")
    def _support(self, actor: str, organisation: str | None) -> None:
        self.supporters.append(actor)

    def decide(self, decision: str, reason: str | None, actor: str) -> None:
        if actor == self.author:
            raise Forbidden("Chi ha scritto la proposta non può deciderla")
        self._require_open("deciderla")
        self._decide(decision=decision, reason=reason, actor=actor)

    @event("Decided")
    def _decide(self, decision: str, reason: str | None, actor: str) -> None:
        self.status = DECISIONS[decision]
        self.decision = {"decision": decision, "reason": reason, "by": actor}
