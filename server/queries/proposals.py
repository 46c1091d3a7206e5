"""Proposals with their comments and supporters, visible to the tavolo's people."""
from __future__ import annotations

from sqlalchemy import select

from server.directory import Principal
from server.events.errors import Forbidden, NotFound
from server.projections.objectives import ObjectiveRow
from server.projections.proposals import CommentRow, ProposalRow, SupportRow
from server.queries.plans import get_plan_row, may_see_tavolo


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
