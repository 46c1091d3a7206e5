"""Read-side queries for objectives and proposals, shaped as the API contract answers them."""
from __future__ import annotations

from sqlalchemy import select

from server.directory import Principal
from server.events.errors import Forbidden, NotFound
from server.planformat import budget_mismatch, budget_total, completeness
from server.projections.objectives import ObjectiveRow
from server.projections.proposals import CommentRow, ProposalRow, SupportRow
from server.queries import get_plan_row


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


# -- proposals ------------------------------------------------------------------------------
def may_see_tavolo(viewer: Principal | None, plan_key: str, tavolo: str | None) -> bool:
    if viewer is None:
        return False
    return viewer.is_admin or viewer.is_auditor or viewer.role_in(plan_key, tavolo) is not None


def get_proposal(session, proposal_id: str, viewer: Principal | None) -> dict:
    row = session.get(ProposalRow, proposal_id)
    if row is None:
        raise NotFound("Proposta sconosciuta", {"proposal": proposal_id})
    if not may_see_tavolo(viewer, row.plan_key, row.tavolo):
        raise Forbidden("Le proposte sono visibili ai partecipanti del tavolo, ai revisori e all'Ufficio di Piano")
    comments = session.scalars(select(CommentRow).where(CommentRow.proposal_id == row.id).order_by(CommentRow.position))
    supports = session.scalars(select(SupportRow).where(SupportRow.proposal_id == row.id).order_by(SupportRow.position))
    return {**proposal_summary(session, row),
            "comments": [{"id": c.id, "author": c.author, "organisation": c.organisation, "text": c.text,
                          "at": c.at.isoformat(), "position": c.position} for c in comments],
            "supporters": [s.user_id for s in supports]}


def proposal_summary(session, row: ProposalRow) -> dict:
    objective = session.get(ObjectiveRow, row.objective_id) if row.objective_id else None
    return {"id": row.id, "plan": row.plan_key, "kind": row.kind, "tavolo": row.tavolo,
            "objective_ref": objective.ref if objective else None, "macro_area": row.macro_area,
            "base_version": row.base_version, "changes": row.changes, "base_values": row.base_values,
            "rationale": row.rationale, "author": row.author, "organisation": row.organisation,
            "status": row.status, "decision": row.decision, "revisions": row.revisions,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "position": row.updated_position}


def list_proposals(session, plan_key: str, viewer: Principal | None, status: str | None = None,
                   tavolo: str | None = None) -> list[dict]:
    get_plan_row(session, plan_key)
    query = select(ProposalRow).where(ProposalRow.plan_key == plan_key)
    if status:
        query = query.where(ProposalRow.status == status)
    if tavolo:
        query = query.where(ProposalRow.tavolo == tavolo)
    rows = session.scalars(query.order_by(ProposalRow.created_position))
    return [proposal_summary(session, r) for r in rows if may_see_tavolo(viewer, r.plan_key, r.tavolo)]
