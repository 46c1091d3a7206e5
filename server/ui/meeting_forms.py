"""The session (seduta) forms of the Tavolo page, read: a submitted form becomes the arguments of
an application command, or errors named after the form's inputs (checked by the API's own schemas:
same limits, same Italian messages). What the forms show is in server/ui/meeting_page.py.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time

from marshmallow import Schema, ValidationError

from server.api.meetings import AgendaIn, AttendanceIn, ContributionIn, ConveneIn, MinutesIn
from server.events.errors import DomainError
from server.events.meeting import QUADRANTS
from server.ui.common import ROME
from server.ui.form_values import indexed_rows

AGENDA_ROW = ("title", "objective_ref")
FORMS = {"convoca": "Convoca una seduta", "odg": "Modifica l'ordine del giorno", "presenze": "Registra presenze",
         "contributo": "Aggiungi un contributo", "collega": "Collega un contributo", "verbale": "Modifica verbale",
         "chiudi": "Chiudi la seduta"}
LABELS = {"agenda": "Ordine del giorno", "title": "Titolo", "date": "Data", "time": "Ora di inizio", "place": "Luogo",
          "link": "Collegamento online", "organisation": "Organizzazione", "present": "Presente o assente", "people": "Numero di persone",
          "quadrant": "Quadrante", "objectives": "Obiettivi collegati", "proposals": "Proposte collegate"}
TEXT_LABELS = {"contributo": "Contributo", "verbale": "Testo del verbale"}


def label(form: str, name: str) -> str:
    """The label of an input as the form shows it, to name it in an error message."""
    parts = name.split(".")
    if parts[0] == "agenda" and len(parts) == 3:
        part = "titolo" if parts[2] == "title" else "obiettivo collegato"
        return f"Punto {int(parts[1]) + 1} dell'ordine del giorno ({part})"
    if name == "text":
        return TEXT_LABELS.get(form, "Testo")
    return LABELS.get(name, name)


def failure(form: str, meeting_id: str | None, values, errors: dict) -> dict:
    """What the page needs to show a refused form again: its values, its errors, a summary."""
    problems = [f"{label(form, name)}: {message}" for name, message in errors.items() if name != "_"]
    return {"form": form, "meeting": meeting_id, "values": values, "errors": errors, "problems": problems,
            "title": FORMS[form]}


# -- form → command arguments ---------------------------------------------------------------------
def _flat(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow's or a DomainError's nested messages → {"agenda.0.title": "…"}."""
    flat = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = " ".join(str(v) for v in value)
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def _input_names(flat: dict, indices: list[int]) -> dict:
    """Command-side names → input names: the n-th agenda item sent is the row the person filled."""
    def rename(name: str) -> str:
        if name == "starts_at":
            return "date"
        found = re.match(r"agenda\.(\d+)\.(.+)", name)
        if found and int(found.group(1)) < len(indices):
            return f"agenda.{indices[int(found.group(1))]}.{found.group(2)}"
        return name
    return {rename(name): message for name, message in flat.items()}


def _load(schema: Schema, data: dict, indices: list[int] = ()) -> tuple[dict | None, dict]:
    try:
        return schema.load(data), {}
    except ValidationError as error:
        return None, _input_names(_flat(error.messages), list(indices))


def error_fields(error: DomainError, indices: list[int] = ()) -> dict:
    """A refusal of the application: the bad inputs (422) or one message for the whole form."""
    fields = _input_names(_flat(error.details), list(indices)) if error.status == 422 else {}
    return fields or {"_": error.message}


def _agenda(form) -> tuple[list[dict], list[int], dict]:
    rows = indexed_rows(form, "agenda", AGENDA_ROW)
    filled = [r for r in rows if r["title"].strip() or r["objective_ref"].strip()]
    errors = {} if filled else {f"agenda.{rows[0]['_i'] if rows else 0}.title":
                                "Indichi almeno un punto all'ordine del giorno."}
    agenda = [{"title": r["title"], "objective_ref": r["objective_ref"]} for r in filled]
    return agenda, [r["_i"] for r in filled], errors


def _starts_at(form, errors: dict) -> str | None:
    day_text, hour_text = form.get("date", "").strip(), form.get("time", "").strip()
    day = hour = None
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            day = parse(day_text)
            break
        except ValueError:
            pass
    for pattern in ("%H:%M", "%H.%M", "%H"):
        try:
            hour = datetime.strptime(hour_text, pattern).time()
            break
        except ValueError:
            pass
    if day is None:
        errors["date"] = "Indichi la data, ad esempio 04/11/2025." if day_text else "Campo obbligatorio."
    if hour is None:
        errors["time"] = "Indichi l'ora, ad esempio 17:30." if hour_text else "Campo obbligatorio."
    return datetime.combine(day, hour or time(), tzinfo=ROME).isoformat() if day and hour else None


def read_convene(form) -> tuple[dict | None, dict, list[int]]:
    """(arguments of convene_meeting, errors, the agenda rows sent)."""
    agenda, indices, errors = _agenda(form)
    data = {"title": form.get("title", ""), "place": form.get("place", ""), "link": form.get("link", ""),
            "agenda": agenda}
    if starts_at := _starts_at(form, errors):
        data["starts_at"] = starts_at
    loaded, problems = _load(ConveneIn(), data, indices)
    if "starts_at" not in data:  # already said: the date or the time is missing or wrong
        problems.pop("date", None)
    if not agenda:
        problems.pop("agenda", None)
    errors = problems | errors
    if errors:
        return None, errors, indices
    return loaded | {"starts_at": loaded["starts_at"].isoformat()}, {}, indices


def read_agenda(form) -> tuple[list[dict] | None, dict, list[int]]:
    agenda, indices, errors = _agenda(form)
    loaded, problems = _load(AgendaIn(), {"agenda": agenda}, indices)
    if not agenda:
        problems.pop("agenda", None)
    errors = problems | errors
    return (None if errors else loaded["agenda"]), errors, indices


def read_attendance(form) -> tuple[dict | None, dict]:
    errors, data = {}, {"organisation": form.get("organisation", "")}
    if form.get("present") in ("true", "false"):
        data["present"] = form["present"] == "true"
    else:
        errors["present"] = "Indichi se l'organizzazione era presente o assente."
    people = form.get("people", "").strip()
    if people.isdigit():
        data["people"] = int(people)
    elif people:
        errors["people"] = "Scriva un numero intero, ad esempio 3."
    loaded, problems = _load(AttendanceIn(), data)
    errors = {k: v for k, v in problems.items() if k != "present"} | errors
    return (None if errors else loaded), errors


def read_contribution(form, transcribes: bool) -> tuple[dict | None, dict]:
    """Coordinators and admins choose the organisation; a member speaks for their own."""
    errors, data = {}, {"text": form.get("text", ""), "objectives": form.getlist("objectives")}
    if form.get("quadrant") in QUADRANTS:
        data["quadrant"] = form["quadrant"]
    else:
        errors["quadrant"] = "Scelga uno dei quattro quadranti."
    if transcribes:
        data["organisation"] = form.get("organisation", "")
        if not data["organisation"].strip():
            errors["organisation"] = "Scelga l'organizzazione a cui attribuire il contributo."
    loaded, problems = _load(ContributionIn(), data)
    errors = {k: v for k, v in problems.items() if k not in errors} | errors
    return (None if errors else loaded), errors


def read_link(form) -> tuple[dict | None, dict]:
    """The objectives (refs) and proposals (ids) a contribution is linked to; at least one."""
    data = {"objectives": form.getlist("objectives"), "proposals": form.getlist("proposals")}
    if not data["objectives"] and not data["proposals"]:
        return None, {"objectives": "Scelga almeno un obiettivo o una proposta da collegare."}
    return data, {}


def read_minutes(form) -> tuple[str | None, dict]:
    loaded, errors = _load(MinutesIn(), {"text": form.get("text", "")})
    return (loaded["text"] if loaded else None), errors
