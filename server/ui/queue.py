"""The coordinators' review queue, read from the proposals read model."""
from __future__ import annotations

from sqlalchemy import select

from server.projections.objectives import ObjectiveRow
from server.projections.plans import PlanRow, TavoloRow
from server.projections.proposals import ProposalRow
from server.ui.common import people_names, rt


def review_queue(me) -> tuple[list[dict], list[dict]]:
    """(waiting for a decision, sent back to their authors), each oldest first."""
    with rt().sessions() as s:
        query = select(ProposalRow).where(ProposalRow.status.in_(("open", "changes_requested")))
        rows = [r for r in s.scalars(query.order_by(ProposalRow.created_position))
                if me.coordinates(r.plan_key, r.tavolo)]
        refs = dict(s.execute(select(ObjectiveRow.id, ObjectiveRow.ref)).all())
        titles = {o.id: (o.fields or {}).get("title") for o in s.scalars(select(ObjectiveRow))}
        tavoli = {(t.plan_key, t.key): t.name for t in s.scalars(select(TavoloRow))}
        plans = dict(s.execute(select(PlanRow.key, PlanRow.title)).all())
        names = people_names(s, [r.author for r in rows])
    items = [{"id": r.id, "plan": r.plan_key, "plan_title": plans.get(r.plan_key), "tavolo": r.tavolo,
              "tavolo_name": tavoli.get((r.plan_key, r.tavolo), r.tavolo), "kind": r.kind,
              "objective_ref": refs.get(r.objective_id), "objective_title": titles.get(r.objective_id),
              "fields": r.fields, "author": names.get(r.author, r.author), "organisation": r.organisation,
              "status": r.status, "created_at": r.created_at, "rationale": r.rationale} for r in rows]
    return [i for i in items if i["status"] == "open"], [i for i in items if i["status"] != "open"]
