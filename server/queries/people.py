"""People as others see them: names only to signed-in people, e-mails to admins and themselves."""
from __future__ import annotations

from sqlalchemy import select

from server.directory import Principal
from server.people import Person
from server.projections.directory import OrganisationRow, UserRow


def names(session, user_ids) -> dict[str, str | None]:
    """Each person's name by account id; None for a person whose data was erased."""
    ids = {user_id for user_id in user_ids if user_id}
    if not ids:
        return {}
    return {p.user_id: (None if p.erased_at else p.name)
            for p in session.scalars(select(Person).where(Person.user_id.in_(ids)))}


def people_cards(session, user_ids: list[str], viewer: Principal | None, roles: dict | None = None) -> list[dict]:
    if viewer is None:
        return []
    people = {p.user_id: p for p in session.scalars(select(Person).where(Person.user_id.in_(user_ids)))}
    users = {u.id: u for u in session.scalars(select(UserRow).where(UserRow.id.in_(user_ids)))}
    cards = []
    for user_id in user_ids:
        card = user_card(people.get(user_id), users.get(user_id), viewer)
        if roles:
            card["role"] = roles.get(user_id)
        cards.append(card)
    return cards


def user_card(person: Person | None, user: UserRow | None, viewer: Principal | None) -> dict:
    erased = person is None or person.erased_at is not None
    card = {
        "id": user.id if user else (person.user_id if person else None),
        "name": None if erased else person.name,
        "organisation": user.organisation if user else None,
        "active": bool(user and user.active),
        "roles": list(user.roles) if user else [],
        "erased": erased,
    }
    if viewer is not None and (viewer.is_admin or viewer.id == card["id"]) and not erased:
        card["email"] = person.email
    return card


def list_organisations(session) -> list[dict]:
    return [{"key": o.key, "name": o.name, "kind": o.kind}
            for o in session.scalars(select(OrganisationRow).order_by(OrganisationRow.name))]
