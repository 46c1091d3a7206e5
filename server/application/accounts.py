"""Commands on accounts, global roles and organisations."""
from __future__ import annotations

from uuid import UUID

from server.application.base import CoprogrammaBase
from server.events.account import Account
from server.events.errors import Conflict, Invalid
from server.events.ids import organisation_id
from server.events.organisation import Organisation
from server.events.tavolo import Tavolo


class AccountCommands(CoprogrammaBase):
    def _check_organisation(self, key: str | None) -> None:
        if key is not None and not self._exists(organisation_id(key)):
            raise Invalid("Organizzazione sconosciuta", {"organisation": f"Nessuna organizzazione con chiave «{key}»."})

    def register_account(self, user_id: UUID, organisation: str | None, actor: str, invited: bool = False) -> int:
        self.require_admin(actor)
        self._check_organisation(organisation)
        return self._save(Account(id=user_id, organisation=organisation, invited=invited, actor=actor))

    def invite_to_tavolo(
        self, user_id: UUID, organisation: str | None, tavolo: Tavolo, role: str, actor: str
    ) -> int:
        """Creates an invited account and seats it at a tavolo, atomically."""
        tavolo.check_may_manage(actor, self.is_admin(actor))
        self._check_organisation(organisation)
        account = Account(id=user_id, organisation=organisation, invited=True, actor=actor)
        tavolo.set_member(str(user_id), role, actor)
        return self._save(account, tavolo)

    def activate_account(self, user_id: str) -> int:
        account = self.account(user_id)
        account.activate(actor=str(account.id))
        return self._save(account)

    def grant_role(self, user_id: str, role: str, actor: str) -> int:
        self.require_admin(actor)
        account = self.account(user_id)
        account.grant_role(role, actor)
        return self._save(account)

    def revoke_role(self, user_id: str, role: str, actor: str) -> int:
        self.require_admin(actor)
        account = self.account(user_id)
        account.revoke_role(role, actor)
        return self._save(account)

    def change_organisation(self, user_id: str, organisation: str | None, actor: str) -> int:
        self.require_admin(actor)
        self._check_organisation(organisation)
        account = self.account(user_id)
        account.change_organisation(organisation=organisation, actor=actor)
        return self._save(account)

    def erase_account(self, user_id: str, actor: str) -> int:
        """Admins only; the personal data itself is cleared by server/directory.py."""
        self.require_admin(actor)
        account = self.account(user_id)
        account.erase_personal_data(actor)
        return self._save(account)

    def register_organisation(self, key: str, name: str, kind: str, actor: str) -> int:
        self.require_admin(actor)
        if self._exists(organisation_id(key)):
            raise Conflict("Esiste già un'organizzazione con questa chiave", {"key": key})
        return self._save(Organisation(key=key, name=name, kind=kind, actor=actor))

    def update_organisation(self, key: str, name: str, kind: str, actor: str) -> int:
        self.require_admin(actor)
        organisation = self._load(Organisation, organisation_id(key), "Organizzazione sconosciuta", {"key": key})
        organisation.update(name=name, kind=kind, actor=actor)
        return self._save(organisation)
