"""Commands on objectives: creation, direct edits by coordinators, renaming, status."""
from __future__ import annotations

from uuid import UUID

from server.application.base import CoprogrammaBase
from server.events.errors import Conflict, Forbidden, Invalid, NotFound
from server.events.ids import tavolo_id
from server.events.objective import Objective
from server.events.plan import Plan


class ObjectiveCommands(CoprogrammaBase):
    def objective(self, plan: Plan, ref: str) -> Objective:
        if ref not in plan.objectives:
            raise NotFound("Obiettivo sconosciuto", {"ref": ref})
        return self._load(Objective, UUID(plan.objectives[ref]), "Obiettivo sconosciuto", {"ref": ref})

    def tavolo_role(self, plan_key: str, tavolo_key: str | None, actor: str) -> str | None:
        if tavolo_key is None:
            return None
        return self.tavolo(plan_key, tavolo_key).members.get(actor)

    def require_coordination(self, plan_key: str, tavolo_key: str | None, actor: str) -> None:
        """Admins, or coordinators of the tavolo the objective belongs to."""
        if not (self.is_admin(actor) or self.tavolo_role(plan_key, tavolo_key, actor) == "coordinator"):
            raise Forbidden("Operazione riservata ai coordinatori del tavolo e all'Ufficio di Piano")

    def _check_placement(self, plan: Plan, macro_area: str, tavolo: str | None) -> None:
        problems = {}
        if macro_area not in plan.macro_areas:
            problems["macro_area"] = f"Macro-area «{macro_area}» non presente nel piano."
        if tavolo is not None and tavolo_id(plan.key, tavolo) not in self.repository:
            problems["tavolo"] = f"Tavolo «{tavolo}» non presente nel piano."
        if problems:
            raise Invalid("Collocazione dell'obiettivo non valida", problems)

    @staticmethod
    def _check_references(plan: Plan, fields: dict, where: str) -> None:
        """LEPS named by an objective must be declared by the plan (as the plan format requires of an
        imported document): otherwise the exported plan could not be imported again."""
        declared = set(getattr(plan, "leps_codes", ()))
        unknown = {f"leps[{i}]": f"LEPS «{code}» non dichiarato nel piano."
                   for i, code in enumerate(fields.get("leps") or []) if code not in declared}
        if unknown:
            raise Invalid("Riferimento a un LEPS non dichiarato nel piano", {where: unknown})

    @staticmethod
    def card(fields: dict) -> dict:
        """A new objective's fields: a field given as empty (None) is simply absent."""
        return {name: value for name, value in fields.items() if value is not None}

    def create_objective(self, plan_key: str, objective_id: UUID, ref: str, macro_area: str,
                         tavolo: str | None, fields: dict, actor: str) -> int:
        plan = self.plan(plan_key)
        self._check_placement(plan, macro_area, tavolo)
        self.require_coordination(plan_key, tavolo, actor)
        self._check_references(plan, fields, "fields")
        if not plan.accepts_direct_edits:
            raise Conflict("Dopo la validazione (e dopo ogni approvazione del piano) i nuovi obiettivi passano "
                           "da una proposta", {"plan_status": plan.status})
        objective = Objective(id=objective_id, plan_key=plan_key, ref=ref, macro_area=macro_area,
                              tavolo=tavolo, fields=self.card(fields), actor=actor)
        plan.register_objective(ref, str(objective_id), actor)
        return self._save(plan, objective)

    def edit_objective(self, plan_key: str, ref: str, base_version: int, changes: dict, actor: str) -> int:
        """A coordinator's direct edit: recorded and attributed like any other change."""
        plan = self.plan(plan_key)
        objective = self.objective(plan, ref)
        self.require_coordination(plan_key, objective.tavolo, actor)
        self._check_references(plan, changes, "changes")
        if not plan.accepts_direct_edits:
            raise Conflict("In questa fase il testo cambia solo tramite proposte approvate",
                           {"plan_status": plan.status})
        objective.change_fields(changes, base_version, actor)
        objective.reopen_after_change(actor)
        return self._save(objective)

    def rename_objective(self, plan_key: str, ref: str, new_ref: str, actor: str) -> int:
        plan = self.plan(plan_key)
        objective = self.objective(plan, ref)
        self.require_coordination(plan_key, objective.tavolo, actor)
        plan.rename_objective(ref, new_ref, actor)
        return self._save(plan)

    def set_objective_status(self, plan_key: str, ref: str, status: str, actor: str,
                             reason: str | None = None) -> int:
        plan = self.plan(plan_key)
        objective = self.objective(plan, ref)
        if status == "validated" or objective.status == "validated":
            self.require_admin(actor)  # validation is the Ufficio di Piano's
        else:
            self.require_coordination(plan_key, objective.tavolo, actor)
        objective.move_to(status, actor, reason)
        return self._save(objective)

    # -- the plan's lifecycle ------------------------------------------------------------------
    def set_plan_status(self, plan_key: str, status: str, actor: str) -> int:
        self.require_admin(actor)
        plan = self.plan(plan_key)
        plan.move_to(status, actor)
        return self._save(plan)

    def approve_plan(self, plan_key: str, body: str, act: str, date: str, actor: str) -> int:
        """The Assemblea's act: the plan and every objective not withdrawn become approved."""
        self.require_admin(actor)
        plan = self.plan(plan_key)
        plan.approve(body, act, date, actor)
        objectives = [self._load(Objective, UUID(oid), "Obiettivo sconosciuto") for oid in plan.objectives.values()]
        for objective in objectives:
            objective.approve_with_plan(actor)
        return self._save(plan, *objectives)

    def extend_plan_period(self, plan_key: str, period_to: int, act: str, actor: str) -> int:
        self.require_admin(actor)
        plan = self.plan(plan_key)
        plan.extend_period(period_to, act, actor)
        return self._save(plan)
