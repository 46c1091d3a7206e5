"""Export of a plan as a `coprogramma/plan@1` document, built from the read models.

The result is canonical (server.planformat.dump): importing it into an empty instance and
exporting again gives the same bytes.
"""
from __future__ import annotations

from sqlalchemy import select

from server.planformat import FORMAT, dump_document
from server.projections.directory import OrganisationRow
from server.projections.objectives import ObjectiveRow
from server.projections.plans import MacroAreaRow, TavoloRow
from server.queries.plans import get_plan_row


def export_plan(session, key: str) -> dict:
    plan = get_plan_row(session, key)
    areas = session.scalars(select(MacroAreaRow).where(MacroAreaRow.plan_key == key).order_by(MacroAreaRow.ordinal))
    tavoli = session.scalars(select(TavoloRow).where(TavoloRow.plan_key == key).order_by(TavoloRow.ordinal)).all()
    objectives = session.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == key)
                                 .order_by(ObjectiveRow.ordinal)).all()
    refs = {row.id: row.ref for row in objectives}
    document = {
        "format": FORMAT,
        "plan": {"key": plan.key, "ambito": plan.ambito, "title": plan.title,
                 "period": {"from": plan.period_from, "to": plan.period_to}, "lead_body": plan.lead_body,
                 "managing_agency": plan.managing_agency, "municipalities": plan.municipalities,
                 "sub_areas": plan.sub_areas},
        "macro_areas": [{"code": a.code, "name": a.name, "key_points": a.key_points} for a in areas],
        "organisations": _organisations(session, plan, tavoli),
        "tavoli": [{"key": t.key, "name": t.name, "macro_areas": t.macro_areas, "mandate": t.mandate,
                    "members": t.organisations} for t in tavoli],
        "leps": plan.leps,
        "objectives": [{"ref": o.ref, "macro_area": o.macro_area, "tavolo": o.tavolo, **o.fields} for o in objectives],
        "evaluations": [_with_refs(e, refs) for e in plan.evaluations],
    }
    return dump_document(document)


def _organisations(session, plan, tavoli) -> list[dict]:
    """The plan's own list, plus any organisation seated at a tavolo since (so references hold)."""
    listed = list(plan.organisations)
    known = {o["key"] for o in listed}
    extra = sorted({key for t in tavoli for key in t.organisations} - known)
    if extra:
        rows = session.scalars(select(OrganisationRow).where(OrganisationRow.key.in_(extra))).all()
        listed += [{"key": r.key, "name": r.name, "kind": r.kind} for r in sorted(rows, key=lambda r: r.key)]
    return listed


def _with_refs(evaluation: dict, refs: dict[str, str]) -> dict:
    out = {k: v for k, v in evaluation.items() if k != "reproposed_as_objective_ids"}
    if evaluation.get("reproposed_as_objective_ids"):
        out["reproposed_as"] = [refs[i] for i in evaluation["reproposed_as_objective_ids"] if i in refs]
    return out
