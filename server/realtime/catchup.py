"""`catch_up`: the events of a plan after a position that a connection's rooms would have received
and did not, because they were pushed before it entered them.

Read from `rm_history` with the same rule as the history API (`server.history.visible`), in
position order, at most `limit` at a time.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from server.directory import Principal
from server.queries.history import events_json, visible
from server.projections.history import HistoryRow
from server.realtime.rooms import all_room, plan_room, scope, tavolo_room


def missed_events(runtime, principal: Principal, since: dict[str, int], plan: str, after: int,
                  limit: int) -> tuple[list[dict], bool]:
    """(events, more): the events in order, and whether there are others after them. `since`: each
    room of the plan the connection is in, and the position after which it received its events live."""
    everything, plan_wide, tavoli = scope(set(since), plan)
    query = select(HistoryRow).where(HistoryRow.plan_key == plan, HistoryRow.position > after)
    if everything:
        query = query.where(HistoryRow.position <= since[all_room(plan)])
    else:
        shown = [HistoryRow.tavolo.in_(tavoli)] + ([HistoryRow.tavolo.is_(None)] if plan_wide else [])
        query = query.where(or_(*shown))
    # An event reached the connection live when any room it went to had been entered before it
    if plan_room(plan) in since:
        query = query.where(or_(HistoryRow.tavolo.is_not(None), HistoryRow.position <= since[plan_room(plan)]))
    for tavolo in tavoli:
        query = query.where(or_(HistoryRow.tavolo.is_(None), HistoryRow.tavolo != tavolo,
                                HistoryRow.position <= since[tavolo_room(plan, tavolo)]))
    query = visible(query, principal, plan)  # the history's rule, checked again
    with runtime.sessions() as db:
        rows = db.scalars(query.order_by(HistoryRow.position).limit(limit + 1)).all()
        more = len(rows) > limit
        return events_json(runtime.app, db, rows[:limit]), more
