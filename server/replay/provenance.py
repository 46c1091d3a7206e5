"""Provenance of an objective's fields: the event that set each value, its proposal, who proposed
it and who decided, and every earlier value of the field.

Read from the history projection (one immutable row per event, server/projections/history.py):
the objective's creation and field changes, and the creation of the proposals they name.
After an approved proposal, `proposed_by` is its author (with the organisation they proposed
for) and `decided_by` the person who approved it; after a direct edit or an import both are the
actor. An auto-rebased approval changes only the proposal's own fields, so the others keep the
provenance of whatever set them.
"""
from __future__ import annotations

from sqlalchemy import select

from server.queries.people import names as names_of_people
from server.projections.history import HistoryRow, with_events

SETTERS = ("Objective.Created", "Objective.FieldsChanged")


def _person(user_id: str | None, organisation: str | None, names: dict) -> dict | None:
    if user_id is None:
        return None
    return {"id": user_id, "name": names.get(user_id), "organisation": organisation}


def provenance(app, session, objective_id: str, upto: int) -> dict:
    """{"fields": {field: {"value", "position", "at", "event", "proposal_id", "proposed_by", "decided_by",
    "rebased_from", "history": [earlier settings, oldest first]}}} as of position `upto`."""
    rows = session.scalars(select(HistoryRow).where(
        HistoryRow.aggregate_id == objective_id, HistoryRow.type.in_(SETTERS), HistoryRow.position <= upto)
        .order_by(HistoryRow.position)).all()
    with_events(app, rows)
    proposal_ids = {row.data.get("proposal_id") for row in rows} - {None}
    proposals = {row.aggregate_id: row for row in with_events(app, session.scalars(select(HistoryRow).where(
        HistoryRow.aggregate_id.in_(proposal_ids), HistoryRow.type == "Proposal.Created")).all())} if proposal_ids else {}
    people = {row.actor for row in rows} | {p.data.get("author") for p in proposals.values()}
    names = names_of_people(session, people)
    fields: dict[str, dict] = {}
    for row in rows:
        values = row.data["fields"] if row.type == "Objective.Created" else row.data["changes"]
        proposal_id = row.data.get("proposal_id")
        decided_by = _person(row.actor, row.organisation, names)
        proposal = proposals.get(proposal_id)
        proposed_by = (_person(proposal.data.get("author"), proposal.data.get("organisation"), names)
                       if proposal else decided_by)
        for name, value in values.items():
            setting = {"value": value, "position": row.position, "at": row.at.isoformat(), "event": row.type,
                       "version": row.version, "proposal_id": proposal_id, "proposed_by": proposed_by,
                       "decided_by": decided_by, "rebased_from": row.data.get("rebased_from")}
            earlier = fields.get(name)
            history = [*earlier.pop("history"), earlier] if earlier else []
            fields[name] = {**setting, "history": history}  # keeps the field's first place
    return {"fields": fields}
