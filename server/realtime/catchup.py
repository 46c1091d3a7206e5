"""`catch_up`: the events of a plan after a position that a connection's rooms would have received.

Read from `rm_history` with the same rule as the history API (`server.history.visible`), in
position order, at most `limit` at a time.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from server.directory import Principal
from server.queries.history import event_json, names_of, visible
from server.projections.history import HistoryRow
from server.realtime.rooms import scope


def missed_events(sessions, principal: Principal, rooms: set[str], plan: str, after: int,
                  limit: int) -> tuple[list[dict], bool]:
    """(events, more): the events in order, and whether there are others after them."""
    everything, plan_wide, tavoli = scope(rooms, plan)
    query = select(HistoryRow).where(HistoryRow.plan_key == plan, HistoryRow.position > after)
    if not everything:
        shown = [HistoryRow.tavolo.in_(tavoli)] + ([HistoryRow.tavolo.is_(None)] if plan_wide else [])
        query = query.where(or_(*shown))
    query = visible(query, principal, plan)  # the history's rule, checked again
    with sessions() as db:
        rows = db.scalars(query.order_by(HistoryRow.position).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        names = names_of(db, rows)
    return [event_json(row, names) for row in rows], more
