"""The objectives' cards, with what is computed from their fields on every read."""
from __future__ import annotations

from sqlalchemy import select

from server.events.errors import NotFound
from server.planformat import budget_mismatch, budget_total, completeness
from server.projections.objectives import ObjectiveRow
from server.queries.plans import get_plan_row


def computed(fields: dict) -> dict:
    """Derived from the fields on every read, never stored by hand."""
    return {"budget_total_eur": budget_total(fields), "budget_mismatch_eur": budget_mismatch(fields),
            "completeness": completeness(fields)}


def objective_summary(row: ObjectiveRow) -> dict:
    mismatch = budget_mismatch(row.fields)
    return {"ref": row.ref, "id": row.id, "title": row.fields.get("title"), "macro_area": row.macro_area,
            "tavolo": row.tavolo, "status": row.status, "version": row.version,
            "budget_total_eur": budget_total(row.fields), "budget_mismatch": mismatch is not None,
            "missing_fields": len(completeness(row.fields)["missing"])}


def list_objectives(session, plan_key: str) -> list[dict]:
    rows = session.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == plan_key).order_by(ObjectiveRow.ordinal))
    return [objective_summary(row) for row in rows]


def get_objective_row(session, plan_key: str, ref: str) -> ObjectiveRow:
    get_plan_row(session, plan_key)
    row = session.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == plan_key, ObjectiveRow.ref == ref)).first()
    if row is None:
        raise NotFound("Obiettivo sconosciuto", {"ref": ref})
    return row


def objective_detail(row: ObjectiveRow) -> dict:
    return {"ref": row.ref, "id": row.id, "version": row.version, "status": row.status,
            "macro_area": row.macro_area, "tavolo": row.tavolo, "fields": row.fields,
            "computed": computed(row.fields), "updated_at": row.updated_at.isoformat(),
            "position": row.updated_position}
