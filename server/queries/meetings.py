"""The sessions of the tavoli as the API answers them: agenda, attendance, quadranti, minutes."""
from __future__ import annotations

from sqlalchemy import select

from server.events.meeting import QUADRANTS
from server.projections.directory import OrganisationRow
from server.projections.meetings import AttendanceRow, ContributionRow, MeetingRow
from server.projections.objectives import ObjectiveRow


def meeting_summary(row: MeetingRow) -> dict:
    """A meeting as the API lists it."""
    return {"id": row.id, "plan": row.plan_key, "tavolo": row.tavolo, "title": row.title,
            "starts_at": row.starts_at, "place": row.place, "link": row.link, "status": row.status,
            "convened_by": row.convened_by, "closed_by": row.closed_by,
            "closed_at": row.closed_at.isoformat() if row.closed_at else None,
            "version": row.version, "position": row.updated_position}


def meeting_detail(session, row: MeetingRow) -> dict:
    """A meeting with agenda (objective refs), attendance and contributions by quadrant."""
    attendance = session.scalars(select(AttendanceRow).where(AttendanceRow.meeting_id == row.id)
                                 .order_by(AttendanceRow.position)).all()
    contributions = session.scalars(select(ContributionRow).where(ContributionRow.meeting_id == row.id)
                                    .order_by(ContributionRow.position)).all()
    ids = {item["objective_id"] for item in row.agenda} | {i for c in contributions for i in c.objective_ids}
    refs = dict(session.execute(select(ObjectiveRow.id, ObjectiveRow.ref)
                                .where(ObjectiveRow.id.in_(ids - {None}))).all())
    names = dict(session.execute(select(OrganisationRow.key, OrganisationRow.name)
                                 .where(OrganisationRow.key.in_([a.organisation for a in attendance]))).all())
    by_quadrant: dict[str, list] = {quadrant: [] for quadrant in QUADRANTS}
    for c in contributions:
        by_quadrant[c.quadrant].append({
            "id": c.id, "organisation": c.organisation, "organisation_name": names.get(c.organisation),
            "text": c.text, "objectives": [refs.get(i, i) for i in c.objective_ids], "proposals": c.proposal_ids,
            "author": c.author, "at": c.at.isoformat(), "position": c.linked_position or c.position})
    return {
        **meeting_summary(row),
        "agenda": [{"title": item["title"], "objective_ref": refs.get(item["objective_id"], item["objective_id"])}
                   for item in row.agenda],
        "attendance": [{"organisation": a.organisation, "name": names.get(a.organisation), "present": a.present,
                        "people": a.people, "position": a.position} for a in attendance],
        "contributions": by_quadrant,
        "minutes": row.minutes if row.status == "closed" else row.edited_minutes,
    }
