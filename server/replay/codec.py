"""A folded plan state to and from plain JSON values (what a checkpoint stores).

Round trip is exact: times as ISO 8601 strings with offset, amounts as the Decimals they are
(the read-model JSON columns keep Decimals exactly, see server/jsonutil.py).
"""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from server.replay.fold import ObjectiveState, PlanState, TavoloState

FORMAT = 2  # bump whenever the folded state changes shape: older checkpoints are then ignored
CONTAINERS = {"municipalities", "sub_areas", "approvals", "macro_areas", "tavoli", "objectives"}
SCALARS = [f.name for f in fields(PlanState) if f.name not in CONTAINERS]


def plan_to_json(plan: PlanState) -> dict:
    """Copies every container the fold changes in place; objective `fields` dicts are replaced, never
    changed, by the fold (server/replay/fold.py), so they are shared as they are."""
    data = {"format": FORMAT, **{name: getattr(plan, name) for name in SCALARS}}
    data.update(municipalities=list(plan.municipalities), sub_areas=list(plan.sub_areas),
                approvals=[dict(a) for a in plan.approvals],
                macro_areas=[{**m, "key_points": list(m["key_points"])} for m in plan.macro_areas])
    data["tavoli"] = [{**vars(t), "macro_areas": list(t.macro_areas), "organisations": list(t.organisations),
                       "seats": {user: list(seat) for user, seat in t.seats.items()}} for t in plan.tavoli.values()]
    data["objectives"] = [{**vars(o), "updated_at": o.updated_at.isoformat()} for o in plan.objectives.values()]
    return data


def current(data: dict) -> bool:
    """Whether a stored state was written by this version of the fold."""
    return data.get("format") == FORMAT


def plan_from_json(data: dict) -> PlanState:
    data = dict(data)
    data.pop("format", None)
    tavoli = [TavoloState(**{**t, "seats": {u: list(s) for u, s in t["seats"].items()}}) for t in data.pop("tavoli")]
    objectives = [ObjectiveState(**{**o, "updated_at": datetime.fromisoformat(o["updated_at"])})
                  for o in data.pop("objectives")]
    plan = PlanState(**data)
    plan.tavoli = {t.id: t for t in tavoli}
    plan.objectives = {o.id: o for o in objectives}
    return plan
