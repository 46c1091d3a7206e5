"""A person's account: organisation, global roles, activation. No personal data here.

Names, e-mails and password hashes live in the personal-data store (server/people.py), keyed
by the account id, so that they can be erased without touching the event log.
"""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict, Invalid

GLOBAL_ROLES = ("admin", "auditor")


class Account(Aggregate):
    class Registered(Aggregate.Created):
        organisation: str | None
        invited: bool
        actor: str

    @event(Registered)
    def __init__(self, id: UUID, organisation: str | None, invited: bool, actor: str) -> None:  # noqa: A002
        self.organisation = organisation
        self.active = not invited
        self.roles: list[str] = []
        self.erased = False

    def grant_role(self, role: str, actor: str) -> None:
        if role not in GLOBAL_ROLES:
            raise Invalid("Ruolo non valido", {"role": f"Il ruolo deve essere uno tra: {', '.join(GLOBAL_ROLES)}."})
        if role in self.roles:
            raise Conflict("L'utente ha già questo ruolo", {"role": role})
        self._grant_role(role=role, actor=actor)

    @event("RoleGranted")
    def _grant_role(self, role: str, actor: str) -> None:
        self.roles.append(role)

    def revoke_role(self, role: str, actor: str) -> None:
        if role not in self.roles:
            raise Conflict("L'utente non ha questo ruolo", {"role": role})
        self._revoke_role(role=role, actor=actor)

    @event("RoleRevoked")
    def _revoke_role(self, role: str, actor: str) -> None:
        self.roles.remove(role)

    def activate(self, actor: str) -> None:
        if self.active:
            raise Conflict("L'account è già attivo")
        if self.erased:
            raise Conflict("I dati personali di questa persona sono stati cancellati: l'account non si riattiva")
        self._activate(actor=actor)

    @event("Activated")
    def _activate(self, actor: str) -> None:
        self.active = True

    @event("OrganisationChanged")
    def change_organisation(self, organisation: str | None, actor: str) -> None:
        self.organisation = organisation

    def erase_personal_data(self, actor: str) -> None:
        """Records that the person's name, e-mail and password were erased (GDPR art. 17); the account
        stays as the pseudonymous author of what it did, and can no longer sign in."""
        if self.erased:
            raise Conflict("I dati personali di questa persona sono già stati cancellati")
        if actor == str(self.id):
            raise Conflict("Non può cancellare i propri dati: lo chieda a un altro amministratore")
        self._erase_personal_data(actor=actor)

    @event("PersonalDataErased")
    def _erase_personal_data(self, actor: str) -> None:
        self.erased, self.active = True, False

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles
