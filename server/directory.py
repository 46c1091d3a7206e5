"""People and their accounts: personal data in `people`, facts about accounts in the event log.

This service keeps the two in step: a personal row is written first (its unique e-mail is the
guard against duplicates); if the event cannot be recorded, the row is removed again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from marshmallow import ValidationError, validate
from sqlalchemy import delete, select

from server.events.errors import Conflict, Invalid, NotFound
from server.people import ApiToken, Invitation, Person
from server.projections.directory import UserRow
from server.projections.plans import TavoloMemberRow
from server.security import hash_password, new_token, password_problem, token_digest, verify_password

INVITATION_DAYS = 14
RESET_HOURS = 24


def now() -> datetime:
    return datetime.now(timezone.utc)


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class Principal:
    """Who is asking, as the read models know them; used for read permissions and display."""

    id: str
    name: str | None
    email: str | None
    organisation: str | None
    global_roles: tuple[str, ...]
    tavoli: dict  # (plan_key, tavolo_key) -> "member" | "coordinator"

    @property
    def is_admin(self) -> bool:
        return "admin" in self.global_roles

    @property
    def is_auditor(self) -> bool:
        return "auditor" in self.global_roles

    @property
    def roles(self) -> list[str]:
        return sorted({*self.global_roles, *self.tavoli.values()})

    def role_in(self, plan_key: str, tavolo_key: str) -> str | None:
        return self.tavoli.get((plan_key, tavolo_key))

    def takes_part(self, plan_key: str, tavolo_key: str | None) -> bool:
        """Seated at the tavolo, or an admin (what the pages offer; the application decides)."""
        return self.is_admin or self.role_in(plan_key, tavolo_key) is not None

    def coordinates(self, plan_key: str, tavolo_key: str | None) -> bool:
        """Coordinator of the tavolo, or an admin."""
        return self.is_admin or self.role_in(plan_key, tavolo_key) == "coordinator"


class Directory:
    def __init__(self, runtime):
        self.runtime = runtime

    # -- creating people ---------------------------------------------------------------
    def _add_person(self, session, user_id: UUID, email: str, name: str, password: str | None) -> None:
        email = normalise_email(email)
        try:  # the API's schemas check it too; the console and the demo come straight here
            validate.Email()(email)
        except ValidationError:
            raise Invalid("Dati non validi", {"email": "Indirizzo e-mail non valido."}) from None
        if not name or not name.strip():
            raise Invalid("Dati non validi", {"name": "Campo obbligatorio: non può essere vuoto."})
        if session.scalars(select(Person.user_id).where(Person.email == email)).first():
            raise Conflict("Esiste già un utente con questo indirizzo e-mail", {"email": "Indirizzo già registrato."})
        if password is not None and (problem := password_problem(password)):
            raise Invalid("Password non valida", {"password": problem})
        session.add(Person(user_id=str(user_id), email=email, name=name.strip(),
                           password_hash=hash_password(password) if password else None, created_at=now()))

    def _record_with_person(self, email, name, password, command) -> tuple[str, int]:
        user_id = uuid4()
        with self.runtime.sessions.begin() as session:
            self._add_person(session, user_id, email, name, password)
        try:
            position = command(user_id)
        except Exception:
            with self.runtime.sessions.begin() as session:
                session.delete(session.get(Person, str(user_id)))
            raise
        self.runtime.wait_for_write(position)
        return str(user_id), position

    def create_user(self, email: str, name: str, password: str, actor: str,
                    organisation: str | None = None, role: str | None = None) -> tuple[str, int]:
        app = self.runtime.app
        user_id, position = self._record_with_person(
            email, name, password, lambda uid: app.register_account(uid, organisation, actor))
        if role:
            position = app.grant_role(user_id, role, actor)
            self.runtime.wait_for_write(position)
        return user_id, position

    def invite(self, email: str, name: str, actor: str, organisation: str | None,
               plan_key: str | None = None, tavolo_key: str | None = None, role: str = "member"):
        """Creates an invited account (seated at a tavolo if given); returns id, position, link token."""
        app = self.runtime.app
        if tavolo_key:
            tavolo = app.tavolo(plan_key, tavolo_key)
            command = lambda uid: app.invite_to_tavolo(uid, organisation, tavolo, role, actor)  # noqa: E731
        else:
            command = lambda uid: app.register_account(uid, organisation, actor, invited=True)  # noqa: E731
        user_id, position = self._record_with_person(email, name, None, command)
        token = self._issue_link(user_id, "invite", timedelta(days=INVITATION_DAYS))
        return user_id, position, token

    # -- one-time links (invitations, password resets) --------------------------------------
    def _issue_link(self, user_id: str, purpose: str, lifetime: timedelta) -> str:
        token, digest = new_token()
        with self.runtime.sessions.begin() as session:
            session.add(Invitation(token_hash=digest, user_id=user_id, purpose=purpose,
                                   created_at=now(), expires_at=now() + lifetime))
        return token

    def request_password_reset(self, email: str) -> tuple[str, str] | None:
        with self.runtime.sessions() as session:
            person = session.scalars(select(Person).where(Person.email == normalise_email(email))).first()
            if person is None or person.password_hash is None:
                return None
        return person.email, self._issue_link(person.user_id, "reset", timedelta(hours=RESET_HOURS))

    def link(self, token: str) -> Invitation:
        with self.runtime.sessions() as session:
            link = session.get(Invitation, token_digest(token))
        if link is None or link.used_at is not None or link.expires_at < now():
            raise NotFound("Collegamento non valido, già usato o scaduto", {"token": "Collegamento non valido."})
        return link

    def use_link(self, token: str, password: str) -> str:
        """Sets the password through an invitation or reset link; activates invited accounts."""
        link = self.link(token)
        if problem := password_problem(password):
            raise Invalid("Password non valida", {"password": problem})
        with self.runtime.sessions.begin() as session:
            stored = session.get(Invitation, link.token_hash)
            if stored.used_at is not None:
                raise NotFound("Collegamento già usato", {"token": "Collegamento già usato."})
            stored.used_at = now()
            session.get(Person, link.user_id).password_hash = hash_password(password)
        if link.purpose == "invite" and not self.runtime.app.account(link.user_id).active:
            self.runtime.wait_for_write(self.runtime.app.activate_account(link.user_id))
        return link.user_id

    # -- erasure (GDPR art. 17) ---------------------------------------------------------------
    def erase(self, user_id: str, actor: str) -> int:
        """Records the erasure (admins only, never one's own), then clears name, e-mail, password,
        tokens and links. What the person did stays in the log under their account id, shown as
        «persona cancellata». SQLite overwrites the freed content (secure_delete)."""
        app = self.runtime.app
        try:
            position = app.erase_account(user_id, actor)
        except Conflict:
            if app.account(user_id).erased:
                self._clear_personal_data(user_id)  # an earlier attempt may have stopped half-way
            raise
        self._clear_personal_data(user_id)
        self.runtime.wait_for_write(position)
        return position

    def _clear_personal_data(self, user_id: str) -> None:
        with self.runtime.sessions.begin() as session:
            person = session.get(Person, user_id)
            if person is not None:
                person.email = person.name = person.password_hash = None
                person.erased_at = person.erased_at or now()
            session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
            session.execute(delete(Invitation).where(Invitation.user_id == user_id))

    # -- authentication --------------------------------------------------------------------
    def authenticate(self, email: str, password: str) -> Principal | None:
        with self.runtime.sessions() as session:
            person = session.scalars(select(Person).where(Person.email == normalise_email(email or ""))).first()
        if not verify_password(person.password_hash if person else None, password or ""):
            return None
        principal = self.principal(person.user_id)
        return principal

    def issue_token(self, user_id: str) -> str:
        token, digest = new_token()
        ttl = timedelta(hours=self.runtime.settings.token_ttl_hours)
        with self.runtime.sessions.begin() as session:
            session.add(ApiToken(token_hash=digest, user_id=user_id, created_at=now(), expires_at=now() + ttl))
        return token

    def principal_for_token(self, token: str) -> Principal | None:
        with self.runtime.sessions() as session:
            stored = session.get(ApiToken, token_digest(token))
        if stored is None or stored.revoked_at is not None or stored.expires_at < now():
            return None
        return self.principal(stored.user_id)

    def revoke_token(self, token: str) -> None:
        with self.runtime.sessions.begin() as session:
            stored = session.get(ApiToken, token_digest(token))
            if stored is not None and stored.revoked_at is None:
                stored.revoked_at = now()

    def principal(self, user_id: str) -> Principal | None:
        """The active, non-erased account with this id, or None."""
        with self.runtime.sessions() as session:
            person = session.get(Person, user_id)
            user = session.get(UserRow, user_id)
            if person is None or user is None or not user.active or person.erased_at is not None:
                return None
            seats = session.execute(select(TavoloMemberRow.plan_key, TavoloMemberRow.tavolo_key, TavoloMemberRow.role)
                                    .where(TavoloMemberRow.user_id == user_id)).all()
        return Principal(id=user_id, name=person.name, email=person.email, organisation=user.organisation,
                         global_roles=tuple(user.roles), tavoli={(p, t): r for p, t, r in seats})

    def user_id_for_email(self, email: str) -> str | None:
        with self.runtime.sessions() as session:
            return session.scalars(select(Person.user_id).where(Person.email == normalise_email(email))).first()
