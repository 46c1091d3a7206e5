"""The Piano di Zona: identity, period, macro-areas, its objectives' refs, and its lifecycle.

drafting → co_programming → validation (→ back to co_programming) → approved (by an act of the
Assemblea dei Sindaci) → in_force. A mid-plan modification takes an approved plan back to
validation and needs a new act.
"""
from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict, Invalid
from server.events.ids import plan_id

TRANSITIONS = {
    "drafting": {"co_programming"},
    "co_programming": {"validation"},
    "validation": {"co_programming"},
    "approved": {"in_force", "validation"},
    "in_force": {"validation"},
}
ACCEPTS_PROPOSALS = ("drafting", "co_programming", "approved", "in_force")


class Plan(Aggregate):
    class Created(Aggregate.Created):
        key: str
        title: str
        ambito: str
        period_from: int
        period_to: int
        lead_body: str | None
        managing_agency: str | None
        municipalities: list[str]
        sub_areas: list[str]
        actor: str

    @staticmethod
    def create_id(key: str, **_: object):
        return plan_id(key)

    @event(Created)
    def __init__(self, key: str, title: str, ambito: str, period_from: int, period_to: int,
                 lead_body: str | None, managing_agency: str | None, municipalities: list[str],
                 sub_areas: list[str], actor: str) -> None:
        self.key, self.title, self.ambito = key, title, ambito
        self.period_from, self.period_to = period_from, period_to
        self.status = "drafting"
        self.macro_areas: dict[str, dict] = {}
        self.objectives: dict[str, str] = {}  # ref -> objective id
        self.used_refs: set[str] = set()  # every ref an objective of this plan has had, renamed ones too
        self.approvals: list[dict] = []

    # -- structure -------------------------------------------------------------------------
    def add_macro_area(self, code: str, name: str, key_points: list[str], actor: str) -> None:
        if code in self.macro_areas:
            raise Conflict("La macro-area esiste già in questo piano", {"code": code})
        self._add_macro_area(code=code, name=name, key_points=key_points, actor=actor)

    @event("MacroAreaAdded")
    def _add_macro_area(self, code: str, name: str, key_points: list[str], actor: str) -> None:
        self.macro_areas[code] = {"name": name, "key_points": list(key_points)}

    @event("ReferenceDataSet")
    def set_reference_data(self, organisations: list[dict], leps: list[dict], evaluations: list[dict],
                           actor: str) -> None:
        """The plan's own lists from its document: organisations as named there, LEPS, evaluations."""
        self.leps_codes = [item["code"] for item in leps]

    @event("Imported")
    def record_import(self, file_name: str, sha256: str, format: str, actor: str) -> None:  # noqa: A002
        pass

    # -- objectives' refs --------------------------------------------------------------------
    def register_objective(self, ref: str, objective_id: str, actor: str) -> None:
        if ref in self.objectives:
            raise Conflict("Esiste già un obiettivo con questo riferimento nel piano", {"ref": ref})
        self._register_objective(ref=ref, objective_id=objective_id, actor=actor)

    @event("ObjectiveRegistered")
    def _register_objective(self, ref: str, objective_id: str, actor: str) -> None:
        self.objectives[ref] = objective_id
        self.used_refs.add(ref)

    def rename_objective(self, old_ref: str, new_ref: str, actor: str) -> None:
        if new_ref in self.objectives:
            raise Conflict("Esiste già un obiettivo con questo riferimento nel piano", {"ref": new_ref})
        self._rename_objective(objective_id=self.objectives[old_ref], old_ref=old_ref, new_ref=new_ref, actor=actor)

    @event("ObjectiveRenamed")
    def _rename_objective(self, objective_id: str, old_ref: str, new_ref: str, actor: str) -> None:
        del self.objectives[old_ref]
        self.objectives[new_ref] = objective_id
        self.used_refs.add(new_ref)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def accepts_proposals(self) -> bool:
        return self.status in ACCEPTS_PROPOSALS

    @property
    def accepts_direct_edits(self) -> bool:
        """Coordinators edit the text directly only before validation and before any approval: an
        approved plan's text changes only through proposals approved again, even back in co-programming."""
        return self.status in ("drafting", "co_programming") and not self.approvals

    def require_open_to_proposals(self) -> None:
        if not self.accepts_proposals:
            raise Conflict("Il piano è in validazione: le proposte sono sospese", {"plan_status": self.status})

    def move_to(self, status: str, actor: str) -> None:
        if status not in TRANSITIONS.get(self.status, ()):
            raise Conflict(f"Il piano nello stato «{self.status}» non può passare a «{status}»",
                           {"status": status, "current": self.status})
        self._status_changed(status=status, actor=actor)

    @event("StatusChanged")
    def _status_changed(self, status: str, actor: str) -> None:
        self.status = status

    def approve(self, body: str, act: str, date: str, actor: str) -> None:
        if self.status != "validation":
            raise Conflict("Il piano può essere approvato solo quando è in validazione",
                           {"status": self.status})
        self._approve(body=body, act=act, date=date, actor=actor)

    @event("Approved")
    def _approve(self, body: str, act: str, date: str, actor: str) -> None:
        self.status = "approved"
        self.approvals.append({"body": body, "act": act, "date": date})

    def extend_period(self, period_to: int, act: str, actor: str) -> None:
        if period_to <= self.period_to:
            raise Invalid("Proroga non valida", {"to": f"Il nuovo anno finale deve essere successivo al {self.period_to}."})
        self._extend_period(period_to=period_to, act=act, actor=actor)

    @event("PeriodExtended")
    def _extend_period(self, period_to: int, act: str, actor: str) -> None:
        self.period_to = period_to
