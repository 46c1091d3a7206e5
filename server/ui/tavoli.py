"""Tavolo: the members' workspace — objectives as cards, open proposals, sessions, who is here."""
from __future__ import annotations

import logging

from eventsourcing.persistence import MapperDeserialisationError
from flask import render_template, request
from sqlalchemy import select

from server.projections.meetings import MeetingRow
from server.queries.meetings import meeting_detail
from server.projections.objectives import ObjectiveRow
from server.projections.plans import TavoloRow
from server.queries.plans import get_plan_row, tavolo_detail
from server.queries.proposals import list_proposals
from server.queries.plans import may_see_tavolo
from server.queries.objectives import objective_summary
from server.ui import bp
from server.ui.common import organisation_names, people_names, rt, viewer
from server.ui.meeting_page import page_forms

log = logging.getLogger(__name__)


def _open_proposals(s, key: str, tavolo: str, me) -> list[dict]:
    """With their values (a new objective is named by its proposed title), read from the event store; on
    an altered log without them: the members' workspace still opens (Storia says what happened)."""
    waiting = ("open", "changes_requested")
    try:
        return list_proposals(s, key, me, waiting, tavolo, rt().app)
    except MapperDeserialisationError:
        log.warning("proposals of %s/%s shown without their values: the event log is altered", key, tavolo)
        return list_proposals(s, key, me, waiting, tavolo)


@bp.get("/piani/<key>/tavoli/<tavolo>")
def tavolo(key, tavolo, failed=None, status=200):
    """`failed`: a session form refused by server/ui/meetings.py, shown again with its errors."""
    me = viewer()
    with rt().sessions() as s:
        plan = get_plan_row(s, key)
        detail = tavolo_detail(s, key, tavolo, me)
        rows = s.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == key, ObjectiveRow.tavolo == tavolo)
                         .order_by(ObjectiveRow.ordinal)).all()
        objectives = [objective_summary(r) | {"fields": r.fields} for r in rows]
        member = may_see_tavolo(me, key, tavolo)
        organisations = organisation_names(s)
        proposals, meetings, names, forms = [], [], {}, {}
        if member:
            proposals = _open_proposals(s, key, tavolo, me)
            meetings = [meeting_detail(s, m) for m in s.scalars(
                select(MeetingRow).where(MeetingRow.plan_key == key, MeetingRow.tavolo == tavolo)
                .order_by(MeetingRow.starts_at_utc.desc(), MeetingRow.convened_position))]
            names = people_names(s, [p["author"] for p in proposals])
            forms = page_forms(s, key, s.get(TavoloRow, (key, tavolo)), me, meetings, organisations,
                               [p["organisation"] for p in detail["people"]], failed, proposals)
    shown = (failed or {}).get("meeting") or request.args.get("seduta") or (meetings[0]["id"] if meetings else None)
    return render_template("tavolo.html", plan=plan, tavolo=detail, objectives=objectives, proposals=proposals,
                           meetings=meetings, names=names, organisations=organisations, member=member,
                           my_role=me.role_in(key, tavolo) if me else None, forms=forms, failed=failed,
                           shown_meeting=shown), status
