"""The minutes (verbale) of a tavolo session, generated as Italian plain text.

`render_minutes` is a pure function of the meeting as the read model shows it and of the
organisations' names: the same meeting always gives the same text.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.events.meeting import QUADRANTS
from server.projections.directory import OrganisationRow
from server.queries.meetings import meeting_detail
from server.queries.plans import get_plan_row

ROME = ZoneInfo("Europe/Rome")
WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
          "ottobre", "novembre", "dicembre")


def italian_datetime(iso: str) -> str:
    """'2025-11-04T09:30:00+01:00' → 'martedì 4 novembre 2025, ore 9:30' (ora di Roma)."""
    moment = datetime.fromisoformat(iso).astimezone(ROME)
    return (f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment.year}, "
            f"ore {moment.hour}:{moment.minute:02d}")


def _people(count: int | None) -> str:
    if count is None:
        return ""
    return " (1 persona)" if count == 1 else f" ({count} persone)"


def _links(objectives: list[str], proposals: list[str]) -> str:
    parts = []
    if objectives:
        parts.append(("obiettivo " if len(objectives) == 1 else "obiettivi ") + ", ".join(objectives))
    if proposals:
        parts.append(("proposta " if len(proposals) == 1 else "proposte ") + ", ".join(proposals))
    return "; ".join(parts)


def _indented(text: str, prefix: str) -> list[str]:
    lines = text.strip().splitlines() or [""]
    return [prefix + lines[0], *("  " + line for line in lines[1:])]


def render_minutes(meeting: Mapping, names: Mapping[str, str]) -> str:
    """`meeting`: title, starts_at, place, link, agenda [{title, objective_ref}], attendance
    [{organisation, present, people}], tavolo_organisations [keys], contributions {quadrant: [{organisation,
    text, objectives, proposals}]}; optional tavolo_name, plan_title. `names`: organisation key → name."""
    def name(key: str) -> str:
        return names.get(key) or key

    lines = ["VERBALE DELLA SEDUTA"]
    if meeting.get("tavolo_name"):
        header = f"Tavolo «{meeting['tavolo_name']}»"
        lines.append(header + (f" – {meeting['plan_title']}" if meeting.get("plan_title") else ""))
    lines += ["", f"Titolo: {meeting['title']}",
              f"Data e ora: {italian_datetime(meeting['starts_at'])} (ora italiana)"]
    if meeting.get("place"):
        lines.append(f"Luogo: {meeting['place']}")
    if meeting.get("link"):
        lines.append(f"Collegamento online: {meeting['link']}")

    lines += ["", "ORDINE DEL GIORNO"]
    for number, item in enumerate(meeting["agenda"], start=1):
        ref = f" (obiettivo {item['objective_ref']})" if item.get("objective_ref") else ""
        lines.append(f"{number}. {item['title']}{ref}")
    if not meeting["agenda"]:
        lines.append("Nessun punto.")

    recorded = {row["organisation"]: row for row in meeting["attendance"]}
    present = sorted((k for k, row in recorded.items() if row["present"]), key=lambda k: name(k).casefold())
    absent = sorted({k for k, row in recorded.items() if not row["present"]}
                    | {k for k in meeting.get("tavolo_organisations", ()) if k not in recorded},
                    key=lambda k: name(k).casefold())
    lines += ["", f"ORGANIZZAZIONI PRESENTI ({len(present)})"]
    lines += [f"- {name(k)}{_people(recorded[k]['people'])}" for k in present] or ["Nessuna."]
    lines += ["", f"ORGANIZZAZIONI ASSENTI ({len(absent)})"]
    lines += [f"- {name(k)}" for k in absent] or ["Nessuna."]

    lines += ["", "QUADRANTI DI SINTESI"]
    for number, (quadrant, label) in enumerate(QUADRANTS.items(), start=1):
        lines += ["", f"{number}. {label.upper()}"]
        contributions = meeting["contributions"].get(quadrant, [])
        for contribution in contributions:
            lines += _indented(contribution["text"], f"- {name(contribution['organisation'])}: ")
            links = _links(contribution.get("objectives", []), contribution.get("proposals", []))
            if links:
                lines.append(f"  Collegato a: {links}")
        if not contributions:
            lines.append("Nessun contributo.")
    return "\n".join(lines) + "\n"


def generated_minutes(session, tavolo, row) -> str:
    """The minutes of a meeting row as the read models show it now (tavolo: its rm_tavoli row)."""
    detail = meeting_detail(session, row)
    names = {a["organisation"]: a["name"] for a in detail["attendance"]}
    names |= dict(session.execute(select(OrganisationRow.key, OrganisationRow.name)
                                  .where(OrganisationRow.key.in_(tavolo.organisations))).all())
    plan = get_plan_row(session, row.plan_key)
    return render_minutes({**detail, "tavolo_name": tavolo.name, "plan_title": plan.title,
                           "tavolo_organisations": tavolo.organisations}, names)
