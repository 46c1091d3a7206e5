"""A folded plan in the API's shapes, built with the same functions as the live reads.

`plan_state(plan)` is `GET /api/v1/plans/{key}` (server.queries.plan_detail) with every
objective's `fields`; `objective_state(objective)` is `GET .../objectives/{ref}`.
"""
from __future__ import annotations

from server.planformat import budget_mismatch, budget_total
from server.planformat.checks import REQUIRED_FOR_APPROVAL, _is_missing
from server.queries.plans import plan_summary, tavolo_summary
from server.queries.objectives import objective_detail
from server.replay.fold import ObjectiveState, PlanState


class _Seat:
    __slots__ = ("user_id", "role")

    def __init__(self, user_id: str, role: str):
        self.user_id, self.role = user_id, role


def objective_summary(objective) -> dict:
    """server.queries.objectives.objective_summary, without its scan of every text for placeholders
    (it only needs the count of missing fields): 100 long cards took ~0.4 s. Tests compare the two."""
    fields = objective.fields
    return {"ref": objective.ref, "id": objective.id, "title": fields.get("title"), "macro_area": objective.macro_area,
            "tavolo": objective.tavolo, "status": objective.status, "version": objective.version,
            "budget_total_eur": budget_total(fields), "budget_mismatch": budget_mismatch(fields) is not None,
            "missing_fields": sum(_is_missing(key, fields.get(key)) for key in REQUIRED_FOR_APPROVAL)}


def objective_entry(objective: ObjectiveState) -> dict:
    """An objective as the plan lists it, plus its fields."""
    return {**objective_summary(objective), "fields": objective.fields}


def plan_state(plan: PlanState) -> dict:
    tavoli = []
    for tavolo in plan.tavoli.values():
        seats = sorted(tavolo.seats.items(), key=lambda item: item[1][1])  # by since_position, as the read model
        tavoli.append(tavolo_summary(tavolo, [_Seat(user, role) for user, (role, _since) in seats]))
    return {
        **plan_summary(plan),
        "lead_body": plan.lead_body,
        "managing_agency": plan.managing_agency,
        "municipalities": plan.municipalities,
        "sub_areas": plan.sub_areas,
        "macro_areas": plan.macro_areas,
        "tavoli": tavoli,
        "approvals": plan.approvals,
        "source": plan.source,
        "objectives": [objective_entry(o) for o in plan.objectives.values()],
    }


def objective_state(objective: ObjectiveState) -> dict:
    return objective_detail(objective)


def find_objective(plan: PlanState, ref: str, current_id: str | None = None) -> ObjectiveState | None:
    """The objective called `ref` then; else the one called so now (`current_id`), if it existed then."""
    for objective in plan.objectives.values():
        if objective.ref == ref:
            return objective
    return plan.objectives.get(current_id) if current_id else None
