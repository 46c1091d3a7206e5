"""A session (seduta) of a tavolo: convocation, agenda, attendance sheet, the four "quadranti di
sintesi" filled with the organisations' contributions, and the minutes (verbale).

Once closed, a meeting is a record: it refuses every change.
"""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict, Invalid, NotFound

YEARS = (2000, 2100)  # a session outside these is a typing error (and year 9999 overflows in UTC)

# The four boxes of the synthesis canvas, with the headings used in the minutes.
QUADRANTS = {
    "questioni_problematiche": "Questioni problematiche",
    "risorse_disponibili": "Risorse disponibili",
    "proposte_concrete": "Proposte concrete di lavoro",
    "lavoro_di_rete": "Contributo del lavoro di rete",
}


def _check_starts_at(starts_at: str) -> None:
    try:
        moment = datetime.fromisoformat(starts_at)
    except (TypeError, ValueError):
        raise Invalid("Data e ora non valide", {"starts_at": "Data e ora non valide (ISO 8601)."}) from None
    if moment.tzinfo is None:
        raise Invalid("Data e ora senza fuso orario", {"starts_at": "Data e ora devono indicare il fuso orario."})
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise Invalid("Data fuori dall'intervallo ammesso",
                      {"starts_at": f"L'anno deve essere compreso tra {YEARS[0]} e {YEARS[1]}."})


def _check_agenda(agenda: list[dict]) -> None:
    problems = {str(i): {"title": "Campo obbligatorio: non può essere vuoto."}
                for i, item in enumerate(agenda) if not str(item.get("title") or "").strip()}
    if problems:
        raise Invalid("Ordine del giorno non valido", {"agenda": problems})


class Meeting(Aggregate):
    class Convened(Aggregate.Created):
        plan_key: str
        tavolo: str
        title: str
        starts_at: str
        place: str | None
        link: str | None
        agenda: list[dict]
        actor: str

    @classmethod
    def convene(cls, id: UUID, plan_key: str, tavolo: str, title: str, starts_at: str,  # noqa: A002
                place: str | None, link: str | None, agenda: list[dict], actor: str) -> Meeting:
        if not (title or "").strip():
            raise Invalid("Titolo mancante", {"title": "Campo obbligatorio: non può essere vuoto."})
        _check_starts_at(starts_at)
        if not place and not link:
            raise Invalid("Luogo mancante", {"place": "Indicare il luogo oppure il collegamento online."})
        _check_agenda(agenda)
        return cls(id=id, plan_key=plan_key, tavolo=tavolo, title=title, starts_at=starts_at, place=place,
                   link=link, agenda=agenda, actor=actor)

    @event(Convened)
    def __init__(self, id: UUID, plan_key: str, tavolo: str, title: str, starts_at: str,  # noqa: A002
                 place: str | None, link: str | None, agenda: list[dict], actor: str) -> None:
        self.plan_key, self.tavolo, self.title = plan_key, tavolo, title
        self.starts_at, self.place, self.link = starts_at, place, link
        self.agenda = [dict(item) for item in agenda]
        self.convened_by = actor
        self.status = "open"
        self.attendance: dict[str, dict] = {}  # organisation -> {"present", "people"}
        self.contributions: dict[str, dict] = {}  # contribution id -> its fields and links
        self.edited_minutes: str | None = None
        self.minutes: str | None = None  # the text recorded when closing

    def require_open(self, doing: str) -> None:
        if self.status != "open":
            raise Conflict(f"La seduta è chiusa: non si può {doing}", {"status": self.status})

    # -- agenda ------------------------------------------------------------------------------
    def change_agenda(self, agenda: list[dict], actor: str) -> None:
        self.require_open("cambiare l'ordine del giorno")
        _check_agenda(agenda)
        if [dict(item) for item in agenda] == self.agenda:
            raise Conflict("L'ordine del giorno è già questo", {"agenda": "Nessuna modifica."})
        self._change_agenda(agenda=agenda, actor=actor)

    @event("AgendaChanged")
    def _change_agenda(self, agenda: list[dict], actor: str) -> None:
        self.agenda = [dict(item) for item in agenda]

    # -- attendance sheet ----------------------------------------------------------------------
    def record_attendance(self, organisation: str, present: bool, people: int | None, actor: str) -> None:
        self.require_open("registrare le presenze")
        if people is not None and people < 0:
            raise Invalid("Numero di persone non valido", {"people": "Deve essere maggiore o uguale a 0."})
        if not present and people:
            raise Invalid("Persone indicate per un'organizzazione assente",
                          {"people": "Un'organizzazione assente non può avere persone presenti."})
        if self.attendance.get(organisation) == {"present": present, "people": people}:
            raise Conflict("Presenza già registrata in questo modo", {"organisation": organisation})
        if not present and self.contributions_of(organisation):
            raise Conflict("L'organizzazione ha già dato contributi in questa seduta: non può risultare assente",
                           {"organisation": organisation})
        self._record_attendance(organisation=organisation, present=present, people=people, actor=actor)

    @event("AttendanceRecorded")
    def _record_attendance(self, organisation: str, present: bool, people: int | None, actor: str) -> None:
        self.attendance[organisation] = {"present": present, "people": people}

    def is_present(self, organisation: str | None) -> bool:
        return bool(self.attendance.get(organisation, {}).get("present"))

    def contributions_of(self, organisation: str) -> list[str]:
        return [cid for cid, c in self.contributions.items() if c["organisation"] == organisation]

    # -- contributions to the quadranti ------------------------------------------------------------
    def add_contribution(self, contribution_id: str, quadrant: str, organisation: str, text: str,
                         objective_ids: list[str], proposal_ids: list[str], actor: str) -> None:
        self.require_open("aggiungere contributi")
        if quadrant not in QUADRANTS:
            raise Invalid("Quadrante sconosciuto", {"quadrant": f"Deve essere uno tra: {', '.join(QUADRANTS)}."})
        if not (text or "").strip():
            raise Invalid("Testo mancante", {"text": "Campo obbligatorio: non può essere vuoto."})
        if not self.is_present(organisation):
            raise Invalid("L'organizzazione non risulta presente alla seduta",
                          {"organisation": f"«{organisation}» non è registrata tra i presenti."})
        if contribution_id in self.contributions:
            raise Conflict("Contributo già registrato", {"contribution_id": contribution_id})
        self._add_contribution(contribution_id=contribution_id, quadrant=quadrant, organisation=organisation,
                               text=text, objective_ids=_unique(objective_ids), proposal_ids=_unique(proposal_ids),
                               actor=actor)

    @event("ContributionAdded")
    def _add_contribution(self, contribution_id: str, quadrant: str, organisation: str, text: str,
                          objective_ids: list[str], proposal_ids: list[str], actor: str) -> None:
        self.contributions[contribution_id] = {
            "quadrant": quadrant, "organisation": organisation, "text": text, "author": actor,
            "objective_ids": list(objective_ids), "proposal_ids": list(proposal_ids)}

    def link_contribution(self, contribution_id: str, objective_ids: list[str], proposal_ids: list[str],
                          actor: str) -> None:
        """Adds links to the objectives and proposals a contribution led to (earlier links stay)."""
        self.require_open("collegare contributi")
        contribution = self.contributions.get(contribution_id)
        if contribution is None:
            raise NotFound("Contributo sconosciuto", {"contribution": contribution_id})
        if not objective_ids and not proposal_ids:
            raise Invalid("Nessun collegamento indicato",
                          {"objectives": "Indicare almeno un obiettivo o una proposta."})
        new_objectives = [i for i in _unique(objective_ids) if i not in contribution["objective_ids"]]
        new_proposals = [i for i in _unique(proposal_ids) if i not in contribution["proposal_ids"]]
        if not new_objectives and not new_proposals:
            raise Conflict("Il contributo è già collegato a questi obiettivi e proposte",
                           {"contribution": contribution_id})
        self._link_contribution(contribution_id=contribution_id, objective_ids=new_objectives,
                                proposal_ids=new_proposals, actor=actor)

    @event("ContributionLinked")
    def _link_contribution(self, contribution_id: str, objective_ids: list[str], proposal_ids: list[str],
                           actor: str) -> None:
        contribution = self.contributions[contribution_id]
        contribution["objective_ids"] = [*contribution["objective_ids"], *objective_ids]
        contribution["proposal_ids"] = [*contribution["proposal_ids"], *proposal_ids]

    # -- minutes --------------------------------------------------------------------------------
    def edit_minutes(self, text: str, actor: str) -> None:
        self.require_open("modificare il verbale")
        if not (text or "").strip():
            raise Invalid("Verbale vuoto", {"text": "Campo obbligatorio: non può essere vuoto."})
        self._edit_minutes(text=text, actor=actor)

    @event("MinutesEdited")
    def _edit_minutes(self, text: str, actor: str) -> None:
        self.edited_minutes = text

    def close(self, generated_minutes: str, actor: str) -> None:
        """Closes the meeting, recording the coordinators' edited minutes if any, else the generated ones."""
        self.require_open("chiuderla di nuovo")
        self._close(minutes=self.edited_minutes if self.edited_minutes is not None else generated_minutes,
                    actor=actor)

    @event("Closed")
    def _close(self, minutes: str, actor: str) -> None:
        self.status = "closed"
        self.minutes = minutes


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))
