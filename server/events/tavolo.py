"""A tavolo tematico: mandate, member organisations, and who sits at it with which role.

Adding, promoting and removing people are events: auditors can tell who could act where, when.
"""
from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict, Forbidden, NotFound
from server.events.ids import tavolo_id

TAVOLO_ROLES = ("member", "coordinator")


class Tavolo(Aggregate):
    class Created(Aggregate.Created):
        plan_key: str
        key: str
        name: str
        macro_areas: list[str]
        mandate: str | None
        organisations: list[str]
        actor: str

    @staticmethod
    def create_id(plan_key: str, key: str, **_: object):
        return tavolo_id(plan_key, key)

    @event(Created)
    def __init__(
        self,
        plan_key: str,
        key: str,
        name: str,
        macro_areas: list[str],
        mandate: str | None,
        organisations: list[str],
        actor: str,
    ) -> None:
        self.plan_key, self.key, self.name = plan_key, key, name
        self.macro_areas = list(macro_areas)
        self.organisations = list(organisations)
        self.members: dict[str, str] = {}  # user id -> role

    def is_coordinator(self, user_id: str) -> bool:
        return self.members.get(user_id) == "coordinator"

    def check_may_manage(self, actor: str, actor_is_admin: bool) -> None:
        """Members are managed by the Ufficio di Piano (admin) or the tavolo's coordinators."""
        if not (actor_is_admin or self.is_coordinator(actor)):
            raise Forbidden("Solo un amministratore o un coordinatore del tavolo può gestirne i membri")

    def set_member(self, user_id: str, role: str, actor: str) -> None:
        current = self.members.get(user_id)
        if current is None:
            self._add_member(user_id=user_id, role=role, actor=actor)
        elif current != role:
            self._change_member_role(user_id=user_id, role=role, actor=actor)
        else:
            raise Conflict("La persona fa già parte del tavolo con questo ruolo", {"user_id": user_id})

    @event("MemberAdded")
    def _add_member(self, user_id: str, role: str, actor: str) -> None:
        self.members[user_id] = role

    @event("MemberRoleChanged")
    def _change_member_role(self, user_id: str, role: str, actor: str) -> None:
        self.members[user_id] = role

    def remove_member(self, user_id: str, actor: str) -> None:
        if user_id not in self.members:
            raise NotFound("La persona non fa parte di questo tavolo", {"user_id": user_id})
        self._remove_member(user_id=user_id, actor=actor)

    @event("MemberRemoved")
    def _remove_member(self, user_id: str, actor: str) -> None:
        del self.members[user_id]
