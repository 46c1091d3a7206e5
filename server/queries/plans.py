"""Plans and their tavoli, with who sits where."""
from __future__ import annotations

from sqlalchemy import select

from server.directory import Principal
from server.events.errors import NotFound
from server.projections.plans import MacroAreaRow, PlanRow, TavoloMemberRow, TavoloRow
from server.queries.people import people_cards


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
    from server.queries.objectives import list_objectives  # (a cycle otherwise)

    plan = get_plan_row(session, key)
    areas = session.scalars(select(MacroAreaRow).where(MacroAreaRow.plan_key == key).order_by(MacroAreaRow.ordinal))
    tavoli = session.scalars(select(TavoloRow).where(TavoloRow.plan_key == key).order_by(TavoloRow.ordinal)).all()
    seats = seats_by_tavolo(session, key)
    return {
        **plan_summary(plan),
        "lead_body": plan.lead_body,
        "managing_agency": plan.managing_agency,
        "municipalities": plan.municipalities,
        "sub_areas": plan.sub_areas,
        "macro_areas": [{"code": a.code, "name": a.name, "key_points": a.key_points} for a in areas],
        "tavoli": [tavolo_summary(t, seats.get(t.key, [])) for t in tavoli],
        "approvals": plan.approvals,
        "source": plan.source,
        "objectives": list_objectives(session, key),
    }


def seats_by_tavolo(session, plan_key: str, tavolo_key: str | None = None) -> dict[str, list[TavoloMemberRow]]:
    query = select(TavoloMemberRow).where(TavoloMemberRow.plan_key == plan_key)
    if tavolo_key:
        query = query.where(TavoloMemberRow.tavolo_key == tavolo_key)
    seats: dict[str, list[TavoloMemberRow]] = {}
    for seat in session.scalars(query.order_by(TavoloMemberRow.since_position)):
        seats.setdefault(seat.tavolo_key, []).append(seat)
    return seats


def tavolo_summary(tavolo: TavoloRow, seats: list[TavoloMemberRow]) -> dict:
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
    seats = seats_by_tavolo(session, plan_key, tavolo_key).get(tavolo_key, [])
    detail = {"plan": plan_key, **tavolo_summary(tavolo, seats)}
    # Names are personal data: shown to signed-in people only.
    detail["people"] = people_cards(session, [s.user_id for s in seats], viewer, {s.user_id: s.role for s in seats})
    return detail


def may_see_tavolo(viewer: Principal | None, plan_key: str, tavolo: str | None) -> bool:
    if viewer is None:
        return False
    return viewer.is_auditor or viewer.takes_part(plan_key, tavolo)
