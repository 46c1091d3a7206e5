"""Read-side queries over the read models, shaped as the API contract answers them."""
from __future__ import annotations

from sqlalchemy import select

from server.directory import Principal
from server.events.errors import NotFound
from server.people import Person
from server.projections.directory import OrganisationRow, UserRow
from server.projections.plans import MacroAreaRow, PlanRow, TavoloMemberRow, TavoloRow


def plan_summary(plan: PlanRow) -> dict:
    return {"key": plan.key, "title": plan.title, "ambito": plan.ambito,
            "period": {"from": plan.period_from, "to": plan.period_to}, "status": plan.status}


def list_plans(session) -> list[dict]:
    return [plan_summary(p) for p in session.scalars(select(PlanRow).order_by(PlanRow.created_at, PlanRow.key))]


def get_plan_row(session, key: str) -> PlanRow:
    plan = session.get(PlanRow, key)
    if plan is None:
        raise NotFound("Piano sconosciuto", {"plan": key})
    return plan


def plan_detail(session, key: str) -> dict:
    from server.queries_objectives import list_objectives

    plan = get_plan_row(session, key)
    areas = session.scalars(select(MacroAreaRow).where(MacroAreaRow.plan_key == key).order_by(MacroAreaRow.ordinal))
    tavoli = session.scalars(select(TavoloRow).where(TavoloRow.plan_key == key).order_by(TavoloRow.ordinal)).all()
    seats = _seats(session, key)
    return {
        **plan_summary(plan),
        "lead_body": plan.lead_body,
        "managing_agency": plan.managing_agency,
        "municipalities": plan.municipalities,
        "sub_areas": plan.sub_areas,
        "macro_areas": [{"code": a.code, "name": a.name, "key_points": a.key_points} for a in areas],
        "tavoli": [_tavolo_summary(t, seats.get(t.key, [])) for t in tavoli],
        "approvals": plan.approvals,
        "source": plan.source,
        "objectives": list_objectives(session, key),
    }


def _seats(session, plan_key: str, tavolo_key: str | None = None) -> dict[str, list[TavoloMemberRow]]:
    query = select(TavoloMemberRow).where(TavoloMemberRow.plan_key == plan_key)
    if tavolo_key:
        query = query.where(TavoloMemberRow.tavolo_key == tavolo_key)
    seats: dict[str, list[TavoloMemberRow]] = {}
    for seat in session.scalars(query.order_by(TavoloMemberRow.since_position)):
        seats.setdefault(seat.tavolo_key, []).append(seat)
    return seats


def _tavolo_summary(tavolo: TavoloRow, seats: list[TavoloMemberRow]) -> dict:
    return {
        "key": tavolo.key,
        "name": tavolo.name,
        "macro_areas": tavolo.macro_areas,
        "mandate": tavolo.mandate,
        "organisations": tavolo.organisations,
        "coordinators": [s.user_id for s in seats if s.role == "coordinator"],
        "members": [s.user_id for s in seats if s.role == "member"],
    }


def tavolo_detail(session, plan_key: str, tavolo_key: str, viewer: Principal | None) -> dict:
    get_plan_row(session, plan_key)
    tavolo = session.get(TavoloRow, (plan_key, tavolo_key))
    if tavolo is None:
        raise NotFound("Tavolo sconosciuto", {"tavolo": tavolo_key})
    seats = _seats(session, plan_key, tavolo_key).get(tavolo_key, [])
    detail = {"plan": plan_key, **_tavolo_summary(tavolo, seats)}
    # Names are personal data: shown to signed-in people only.
    detail["people"] = people_cards(session, [s.user_id for s in seats], viewer, {s.user_id: s.role for s in seats})
    return detail


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
