"""The session (seduta) forms of the Tavolo page, shown: who may use which form, the choices they
offer, and the values each starts from (the current agenda, the minutes generated from the
session...), or what the person typed when the submission was refused (server/ui/meeting_forms.py).
"""
from __future__ import annotations

from sqlalchemy import select

from server.meetings_minutes import generated_minutes
from server.projections.meetings import MeetingRow
from server.projections.objectives import ObjectiveRow
from server.ui.form_values import indexed_rows
from server.ui.meeting_forms import AGENDA_ROW


def _agenda_values(form, blank: int) -> list[dict]:
    rows = [{k: r[k] for k in AGENDA_ROW} for r in indexed_rows(form, "agenda", AGENDA_ROW)]
    return rows + [dict.fromkeys(AGENDA_ROW, "") for _ in range(blank)]


def _values(name: str, form) -> dict:
    if name in ("convoca", "odg"):
        values = {k: form.get(k, "") for k in ("title", "date", "time", "place", "link")}
        return values | {"agenda": _agenda_values(form, 0)}
    if name == "contributo":
        return {k: form.get(k, "") for k in ("quadrant", "text", "organisation")} | {
            "objectives": form.getlist("objectives")}
    return {k: form.get(k, "") for k in ("organisation", "present", "people", "text")}


def page_forms(session, plan_key: str, tavolo_row, me, meetings: list[dict], organisations: dict,
               seated: list[str], failed: dict | None, proposals: list[dict] = ()) -> dict:
    """Who may use which form, the choices they offer and the values they start from.
    `proposals`: the tavolo's open proposals, which a contribution may be linked to."""
    coordinate = bool(me and me.coordinates(plan_key, tavolo_row.key))
    participate = bool(me and me.takes_part(plan_key, tavolo_row.key))
    if not participate:
        return {"coordinate": False, "participate": False}

    def values(name: str, meeting_id: str | None, default: dict) -> dict:
        if failed and failed["form"] == name and failed["meeting"] == meeting_id:
            return _values(name, failed["values"])
        return default

    objectives = [{"ref": o.ref, "title": (o.fields or {}).get("title") or o.ref, "own": o.tavolo == tavolo_row.key}
                  for o in session.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == plan_key)
                                           .order_by(ObjectiveRow.ordinal))]
    ours = list(dict.fromkeys([*tavolo_row.organisations, *(k for k in seated if k),
                               *(a["organisation"] for m in meetings for a in m["attendance"])]))

    def by_name(keys) -> list[tuple[str, str]]:
        return sorted(((k, organisations.get(k, k)) for k in keys), key=lambda pair: pair[1].casefold())

    forms = {"coordinate": coordinate, "participate": participate, "objectives": objectives,
             "organisations": by_name(ours), "other_organisations": by_name(k for k in organisations if k not in ours),
             "own_organisation": me.organisation, "me": me.id,
             "proposals": [(p["id"], _proposal_label(p)) for p in proposals],
             "convene": values("convoca", None, _values("convoca", {}) | {"agenda": _agenda_values({}, 5)}),
             "meetings": {}}
    for m in meetings:
        if m["status"] != "open":
            continue
        present = [a["organisation"] for a in m["attendance"] if a["present"]]
        minutes = m["minutes"]
        if coordinate and minutes is None:
            minutes = generated_minutes(session, tavolo_row, session.get(MeetingRow, m["id"]))
        agenda = [{"title": i["title"], "objective_ref": i["objective_ref"] or ""} for i in m["agenda"]]
        forms["meetings"][m["id"]] = {
            "agenda": values("odg", m["id"], {"agenda": agenda + [dict.fromkeys(AGENDA_ROW, "") for _ in range(2)]}),
            "attendance": values("presenze", m["id"], {"organisation": "", "present": "", "people": ""}),
            "contribution": values("contributo", m["id"], {"quadrant": "", "text": "", "organisation": "",
                                                           "objectives": []}),
            "minutes": values("verbale", m["id"], {"text": minutes or ""})["text"],
            "edited": m["minutes"] is not None,
            "present": by_name(present), "own_present": me.organisation in present}
    if failed:  # a refused form that is not on the page (e.g. the session was closed meanwhile)
        failed["shown"] = _shown(failed, forms)
    return forms


def _proposal_label(proposal: dict) -> str:
    if proposal["objective_ref"]:
        return f"Modifica all'obiettivo {proposal['objective_ref']} ({', '.join(proposal['fields'])})"
    title = proposal.get("changes", {}).get("title")  # (no values: an altered log)
    return f"Nuovo obiettivo «{title or 'senza titolo'}»"


def _shown(failed: dict, forms: dict) -> bool:
    if failed["form"] == "collega":
        return False  # one small form per contribution: the reason is shown at the top of the page
    if failed["form"] == "convoca":
        return forms["coordinate"]
    meeting = forms["meetings"].get(failed["meeting"])
    if meeting is None:
        return False
    if failed["form"] == "contributo":
        return bool(meeting["present"] if forms["coordinate"] else meeting["own_present"])
    return forms["coordinate"]
