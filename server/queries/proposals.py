"""Proposals with their comments and supporters, visible to the tavolo's people."""
from __future__ import annotations

from eventsourcing.persistence import MapperDeserialisationError
from sqlalchemy import select

from server.directory import Principal
from server.events.errors import Forbidden, NotFound
from server.events.proposal import Proposal
from server.projections.objectives import ObjectiveRow
from server.projections.proposals import CommentRow, ProposalRow, SupportRow
from server.queries.plans import get_plan_row, may_see_tavolo
from server.replay.log import events_at


def get_proposal(session, proposal_id: str, viewer: Principal | None, app) -> dict:
    row = session.get(ProposalRow, proposal_id)
    if row is None:
        raise NotFound("Proposta sconosciuta", {"proposal": proposal_id})
    if not may_see_tavolo(viewer, row.plan_key, row.tavolo):
        raise Forbidden("Le proposte sono visibili ai partecipanti del tavolo, ai revisori e all'Ufficio di Piano")
    comments = session.scalars(select(CommentRow).where(CommentRow.proposal_id == row.id).order_by(CommentRow.position))
    supports = session.scalars(select(SupportRow).where(SupportRow.proposal_id == row.id).order_by(SupportRow.position))
    return {**proposal_summary(session, row, _contents(app, [row])[row.id]),
            "comments": [{"id": c.id, "author": c.author, "organisation": c.organisation, "text": c.text,
                          "at": c.at.isoformat(), "position": c.position} for c in comments],
            "supporters": [s.user_id for s in supports]}


def proposal_summary(session, row: ProposalRow, content: tuple[dict, dict] | None = None) -> dict:
    """The proposal as lists show it; with its `content` (changes, base values), as the API does."""
    objective = session.get(ObjectiveRow, row.objective_id) if row.objective_id else None
    summary = {"id": row.id, "plan": row.plan_key, "kind": row.kind, "tavolo": row.tavolo,
               "objective_ref": objective.ref if objective else None, "macro_area": row.macro_area,
               "base_version": row.base_version}
    if content is not None:
        summary["changes"], summary["base_values"] = content
    return {**summary, "fields": row.fields,
            "rationale": row.rationale, "author": row.author, "organisation": row.organisation,
            "status": row.status, "decision": row.decision, "revisions": row.revisions,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "position": row.updated_position}


def list_proposals(session, plan_key: str, viewer: Principal | None, status: str | tuple[str, ...] | None = None,
                   tavolo: str | None = None, app=None) -> list[dict]:
    """The plan's proposals `viewer` may see (in a status, or in one of several), oldest first; with their
    changes and base values when given the application (whose event store holds them)."""
    get_plan_row(session, plan_key)
    query = select(ProposalRow).where(ProposalRow.plan_key == plan_key)
    if status:
        query = query.where(ProposalRow.status.in_([status] if isinstance(status, str) else status))
    if tavolo:
        query = query.where(ProposalRow.tavolo == tavolo)
    rows = [r for r in session.scalars(query.order_by(ProposalRow.created_position))
            if may_see_tavolo(viewer, r.plan_key, r.tavolo)]
    contents = _contents(app, rows) if app is not None else {}
    return [proposal_summary(session, r, contents.get(r.id)) for r in rows]


def _contents(app, rows: list[ProposalRow]) -> dict[str, tuple[dict, dict]]:
    """Each proposal's changes and base values, from the event that set them (one query for the lot;
    an altered log raises as `events_at` says)."""
    events = events_at(app, {row.content_position: (row.id, None) for row in rows})
    contents = {}
    for row in rows:
        event = events[row.content_position]
        if not isinstance(event, (Proposal.Created, Proposal.Revised)):
            raise MapperDeserialisationError(f"the stored event at position {row.content_position} is replaced")
        contents[row.id] = (dict(event.changes), dict(event.base_values))
    return contents
