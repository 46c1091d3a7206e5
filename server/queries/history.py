"""Reading the history: filters, visibility, cursor pages, and the public shape of an event."""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, or_, select

from server.directory import Principal
from server.events.errors import Invalid
from server.jsonutil import dumps_compact, dumps_stored
from server.queries.people import names
from server.projections.directory import UserRow
from server.projections.history import HistoryRow, with_events
from server.projections.objectives import ObjectiveRow
from server.projections.plans import TavoloRow


def event_json(row: HistoryRow, names: dict[str, str | None]) -> dict:
    """An event as the API, the live updates and the exports show it."""
    return {"position": row.position, "at": row.at.isoformat(), "type": row.type, "plan": row.plan_key,
            "actor": {"id": row.actor, "name": names.get(row.actor), "organisation": row.organisation}
            if row.actor else None,
            "tavolo": row.tavolo, "objective_ref": row.objective_ref, "objective_id": row.objective_id,
            "proposal_id": row.proposal_id, "summary": row.summary, "data": row.data}


def events_json(app, session, rows, known: dict | None = None) -> list[dict]:
    """The rows' events (read from the event store, unless `known` by position) as `event_json` shows them."""
    with_events(app, rows, known)
    people = names(session, [row.actor for row in rows])
    return [event_json(row, people) for row in rows]


def visible(query, viewer: Principal, plan_key: str):
    """Auditors and admins see everything; others the plan-wide events and their own tavoli."""
    if viewer.is_admin or viewer.is_auditor:
        return query
    mine = [tavolo for (plan, tavolo) in viewer.tavoli if plan == plan_key]
    return query.where(or_(HistoryRow.tavolo.is_(None), HistoryRow.tavolo.in_(mine)))


def history_page(app, session, plan_key: str, viewer: Principal, *, objective=None, tavolo=None, actor=None,
                 since=None, until=None, after=None, upto=None, limit=100) -> tuple[list[dict], int | None]:
    query = visible(select(HistoryRow).where(HistoryRow.plan_key == plan_key), viewer, plan_key)
    if objective:
        query = query.where(HistoryRow.objective_id.in_(objective_ids(session, plan_key, objective)))
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
    if upto is not None:
        query = query.where(HistoryRow.position <= upto)
    rows = session.scalars(query.order_by(HistoryRow.position).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return events_json(app, session, rows), (rows[-1].position if more else None)


def objective_ids(session, plan_key: str, objective: str) -> list[str]:
    """The objectives a filter names, by id or by reference: the one that has this reference now and
    every one that had it before (a rename, a reference given again). The filter then gives their
    whole histories, under every reference they had; each event's objective_id tells them apart."""
    current = set(session.scalars(select(ObjectiveRow.id).where(
        ObjectiveRow.plan_key == plan_key, or_(ObjectiveRow.ref == objective, ObjectiveRow.id == objective))))
    earlier = set(session.scalars(select(HistoryRow.objective_id).distinct().where(
        HistoryRow.plan_key == plan_key, HistoryRow.objective_id.is_not(None),
        or_(HistoryRow.objective_ref == objective, HistoryRow.objective_id == objective))))
    return sorted(current | earlier)


def check_filters(session, plan_key: str, *, objective=None, tavolo=None, actor=None, since=None, until=None,
                  **_) -> None:
    """Filters that can only give an empty answer because they name nothing are refused (a typo
    would otherwise read as "nothing happened")."""
    problems = {}
    if objective and not objective_ids(session, plan_key, objective):
        problems["objective"] = f"Nessun obiettivo del piano ha (o ha avuto) il riferimento «{objective}»."
    if tavolo and session.get(TavoloRow, (plan_key, tavolo)) is None:
        problems["tavolo"] = f"Il piano non ha un tavolo «{tavolo}»."
    if actor and session.get(UserRow, actor) is None:
        problems["actor"] = "Persona sconosciuta: indicare l'identificativo di un account."
    if since and until and since > until:
        problems["until"] = "La fine dell'intervallo precede l'inizio («since»)."
    if problems:
        raise Invalid("Filtri della storia non validi", problems)


EXPORT_PAGE = 1000  # events read at a time while a whole export streams
CSV_COLUMNS = ("position", "at", "type", "actor_id", "actor_name", "organisation", "tavolo", "objective_ref",
               "proposal_id", "summary", "data")


def head(session) -> int:
    """Where a whole export stops: the history's last position when it begins."""
    return session.scalar(select(func.max(HistoryRow.position))) or 0


def all_pages(runtime, plan_key: str, viewer: Principal, filters: dict, upto: int, page: int = EXPORT_PAGE):
    """The whole filtered history up to `upto`, a page at a time, each read in its own short session
    while the file streams out."""
    after = filters.get("after")
    filters = {name: value for name, value in filters.items() if name != "after"}
    while True:
        with runtime.sessions() as session:
            events, after = history_page(runtime.app, session, plan_key, viewer, after=after, upto=upto, limit=page,
                                         **filters)
        yield events
        if after is None:
            return


def jsonl_chunks(pages):
    return (b"".join(dumps_compact(event) + b"\n" for event in events).decode("utf-8") for events in pages)


def csv_chunks(pages):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for events in pages:
        for e in events:
            actor = e["actor"] or {}
            writer.writerow([e["position"], e["at"], e["type"], actor.get("id"), actor.get("name"),
                             actor.get("organisation"), e["tavolo"], e["objective_ref"], e["proposal_id"],
                             e["summary"], dumps_stored(e["data"])])
        yield out.getvalue()
        out.seek(0)
        out.truncate()

