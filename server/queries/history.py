"""Reading the history: filters, visibility, cursor pages, and the public shape of an event."""
from __future__ import annotations

from sqlalchemy import or_, select

from server.directory import Principal
from server.queries.people import names
from server.projections.history import HistoryRow


def event_json(row: HistoryRow, names: dict[str, str | None]) -> dict:
    """An event as the API, the live updates and the exports show it."""
    return {"position": row.position, "at": row.at.isoformat(), "type": row.type, "plan": row.plan_key,
            "actor": {"id": row.actor, "name": names.get(row.actor), "organisation": row.organisation}
            if row.actor else None,
            "tavolo": row.tavolo, "objective_ref": row.objective_ref, "objective_id": row.objective_id,
            "proposal_id": row.proposal_id, "summary": row.summary, "data": row.data}


def names_of(session, rows) -> dict[str, str | None]:
    return names(session, [row.actor for row in rows])


def visible(query, viewer: Principal, plan_key: str):
    """Auditors and admins see everything; others the plan-wide events and their own tavoli."""
    if viewer.is_admin or viewer.is_auditor:
        return query
    mine = [tavolo for (plan, tavolo) in viewer.tavoli if plan == plan_key]
    return query.where(or_(HistoryRow.tavolo.is_(None), HistoryRow.tavolo.in_(mine)))


def history_page(session, plan_key: str, viewer: Principal, *, objective=None, tavolo=None, actor=None,
                 since=None, until=None, after=None, limit=100) -> tuple[list[dict], int | None]:
    query = visible(select(HistoryRow).where(HistoryRow.plan_key == plan_key), viewer, plan_key)
    if objective:
        query = query.where(or_(HistoryRow.objective_ref == objective, HistoryRow.objective_id == objective))
    if tavolo:
        query = query.where(HistoryRow.tavolo == tavolo)
    if actor:
        query = query.where(HistoryRow.actor == actor)
    if since:
        query = query.where(HistoryRow.at >= since)
    if until:
        query = query.where(HistoryRow.at <= until)
    if after:
        query = query.where(HistoryRow.position > after)
    rows = session.scalars(query.order_by(HistoryRow.position).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    names = names_of(session, rows)
    return [event_json(row, names) for row in rows], (rows[-1].position if more else None)
