"""The Piano di Zona: identity, period, macro-areas. Its lifecycle grows with the workflow."""
from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from server.events.errors import Conflict
from server.events.ids import plan_id


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
    def __init__(
        self,
        key: str,
        title: str,
        ambito: str,
        period_from: int,
        period_to: int,
        lead_body: str | None,
        managing_agency: str | None,
        municipalities: list[str],
        sub_areas: list[str],
        actor: str,
    ) -> None:
        self.key, self.title, self.ambito = key, title, ambito
        self.period_from, self.period_to = period_from, period_to
        self.status = "drafting"
        self.macro_areas: dict[str, dict] = {}

    def add_macro_area(self, code: str, name: str, key_points: list[str], actor: str) -> None:
        if code in self.macro_areas:
            raise Conflict("La macro-area esiste già in questo piano", {"code": code})
        self._add_macro_area(code=code, name=name, key_points=key_points, actor=actor)

    @event("MacroAreaAdded")
    def _add_macro_area(self, code: str, name: str, key_points: list[str], actor: str) -> None:
        self.macro_areas[code] = {"name": name, "key_points": list(key_points)}
