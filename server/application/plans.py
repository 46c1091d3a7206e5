"""Commands on plans and tavoli."""
from __future__ import annotations

from server.application.base import CoprogrammaBase
from server.events.errors import Conflict, Invalid
from server.events.ids import organisation_id, plan_id, tavolo_id
from server.events.plan import Plan
from server.events.tavolo import Tavolo


class PlanCommands(CoprogrammaBase):
    def plan(self, key: str) -> Plan:
        return self._load(Plan, plan_id(key), "Piano sconosciuto", {"plan": key})

    def tavolo(self, plan_key: str, key: str) -> Tavolo:
        self.plan(plan_key)
        return self._load(Tavolo, tavolo_id(plan_key, key), "Tavolo sconosciuto", {"tavolo": key})

    def create_plan(self, key: str, title: str, ambito: str, period_from: int, period_to: int, actor: str,
                    lead_body: str | None = None, managing_agency: str | None = None,
                    municipalities: list[str] = (), sub_areas: list[str] = ()) -> int:
        self.require_admin(actor)
        if self._exists(plan_id(key)):
            raise Conflict("Esiste già un piano con questa chiave", {"key": key})
        if period_to < period_from:
            raise Invalid("Periodo non valido", {"period": "L'anno finale precede quello iniziale."})
        plan = Plan(key=key, title=title, ambito=ambito, period_from=period_from, period_to=period_to,
                    lead_body=lead_body, managing_agency=managing_agency,
                    municipalities=list(municipalities), sub_areas=list(sub_areas), actor=actor)
        return self._save(plan)

    def add_macro_area(self, plan_key: str, code: str, name: str, key_points: list[str], actor: str) -> int:
        self.require_admin(actor)
        plan = self.plan(plan_key)
        plan.add_macro_area(code, name, list(key_points), actor)
        return self._save(plan)

    def create_tavolo(self, plan_key: str, key: str, name: str, macro_areas: list[str], actor: str,
                      mandate: str | None = None, organisations: list[str] = ()) -> int:
        self.require_admin(actor)
        plan = self.plan(plan_key)
        if self._exists(tavolo_id(plan_key, key)):
            raise Conflict("Esiste già un tavolo con questa chiave nel piano", {"key": key})
        unknown_areas = [code for code in macro_areas if code not in plan.macro_areas]
        if unknown_areas:
            raise Invalid("Macro-area sconosciuta", {"macro_areas": f"Macro-aree non presenti nel piano: {', '.join(unknown_areas)}."})
        unknown_orgs = [k for k in organisations if not self._exists(organisation_id(k))]
        if unknown_orgs:
            raise Invalid("Organizzazione sconosciuta", {"organisations": f"Organizzazioni sconosciute: {', '.join(unknown_orgs)}."})
        tavolo = Tavolo(plan_key=plan_key, key=key, name=name, macro_areas=list(macro_areas),
                        mandate=mandate, organisations=list(organisations), actor=actor)
        return self._save(tavolo)

    def set_tavolo_member(self, plan_key: str, tavolo_key: str, user_id: str, role: str, actor: str) -> int:
        tavolo = self.tavolo(plan_key, tavolo_key)
        tavolo.check_may_manage(actor, self.is_admin(actor))
        self.account(user_id)  # must exist
        tavolo.set_member(str(user_id), role, actor)
        return self._save(tavolo)

    def remove_tavolo_member(self, plan_key: str, tavolo_key: str, user_id: str, actor: str) -> int:
        tavolo = self.tavolo(plan_key, tavolo_key)
        tavolo.check_may_manage(actor, self.is_admin(actor))
        tavolo.remove_member(str(user_id), actor)
        return self._save(tavolo)
