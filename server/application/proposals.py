"""Commands on proposals: propose, revise, withdraw, comment, support, decide."""
from __future__ import annotations

import re
from uuid import UUID, uuid4

from server.application.base import commutes
from server.application.objectives import ObjectiveCommands
from server.events.errors import Conflict, Forbidden, Invalid, NotFound
from server.events.objective import Objective
from server.events.proposal import DECISIONS, Proposal


class ProposalCommands(ObjectiveCommands):
    def proposal(self, proposal_id: str) -> Proposal:
        try:
            uid = UUID(str(proposal_id))
        except ValueError:
            raise NotFound("Proposta sconosciuta", {"proposal": str(proposal_id)}) from None
        return self._load(Proposal, uid, "Proposta sconosciuta", {"proposal": str(proposal_id)})

    def _participant(self, plan_key: str, tavolo: str | None, actor: str) -> str | None:
        """The actor's organisation, if they sit at the tavolo (admins may take part everywhere)."""
        account = self.account(actor)
        if not account.active:
            raise Forbidden("Account non attivo")
        if self.tavolo_role(plan_key, tavolo, actor) is None and not account.is_admin:
            raise Forbidden("Solo i membri e i coordinatori del tavolo possono partecipare")
        return account.organisation

    def _base_values(self, objective: Objective, base_version: int, names) -> dict:
        if base_version > objective.version or base_version < 1:
            raise Invalid("Versione di partenza inesistente",
                          {"base_version": f"L'obiettivo è alla versione {objective.version}."})
        base = objective if base_version == objective.version else self.repository.get(objective.id, version=base_version)
        return {name: base.fields.get(name) for name in names}

    def propose_amendment(self, proposal_id: UUID, plan_key: str, ref: str, base_version: int, changes: dict,
                          rationale: str | None, actor: str) -> int:
        plan = self.plan(plan_key)
        objective = self.objective(plan, ref)
        organisation = self._participant(plan_key, objective.tavolo, actor)
        self._check_references(plan, changes, "changes")
        plan.require_open_to_proposals()
        if objective.status == "withdrawn":
            raise Conflict("L'obiettivo è stato ritirato", {"ref": ref})
        proposal = Proposal(
            id=proposal_id, plan_key=plan_key, tavolo=objective.tavolo, kind="amendment",
            objective_id=str(objective.id), macro_area=None, base_version=base_version, changes=changes,
            base_values=self._base_values(objective, base_version, changes), rationale=rationale,
            author=actor, organisation=organisation)
        return self._save(proposal)

    def propose_new_objective(self, proposal_id: UUID, plan_key: str, tavolo: str, macro_area: str, fields: dict,
                              rationale: str | None, actor: str) -> int:
        plan = self.plan(plan_key)
        self.tavolo(plan_key, tavolo)  # named by the URL: unknown → 404, like every other path
        self._check_placement(plan, macro_area, tavolo)
        organisation = self._participant(plan_key, tavolo, actor)
        self._check_references(plan, fields, "fields")
        plan.require_open_to_proposals()
        proposal = Proposal(
            id=proposal_id, plan_key=plan_key, tavolo=tavolo, kind="new_objective", objective_id=None,
            macro_area=macro_area, base_version=None, changes=fields, base_values={}, rationale=rationale,
            author=actor, organisation=organisation)
        return self._save(proposal)

    def revise_proposal(self, proposal_id: str, base_version: int | None, changes: dict, rationale: str | None,
                        actor: str) -> int:
        proposal = self.proposal(proposal_id)
        proposal.require_revisable_by(actor)  # permission first: a refusal says nothing about the input
        if proposal.kind == "amendment":
            if base_version is None:  # optional in the request: the proposal keeps its base
                base_version = proposal.base_version
            objective = self._load(Objective, UUID(proposal.objective_id), "Obiettivo sconosciuto")
            base_values = self._base_values(objective, base_version, changes)
        else:
            # a revision replaces the proposed card as a whole: the title stays required
            if changes.get("title") is None:
                raise Invalid("Un nuovo obiettivo deve avere un titolo", {"changes": {"title": "Campo obbligatorio."}})
            base_version, base_values = None, {}
        self._check_references(self.plan(proposal.plan_key), changes, "changes")
        proposal.revise(base_version, changes, base_values, rationale, actor)
        return self._save(proposal)

    def withdraw_proposal(self, proposal_id: str, actor: str) -> int:
        proposal = self.proposal(proposal_id)
        proposal.withdraw(actor)
        return self._save(proposal)

    @commutes
    def comment_proposal(self, proposal_id: str, text: str, actor: str) -> tuple[str, int]:
        proposal = self.proposal(proposal_id)
        organisation = self._participant(proposal.plan_key, proposal.tavolo, actor)
        comment_id = str(uuid4())
        proposal.comment(comment_id=comment_id, text=text, actor=actor, organisation=organisation)
        return comment_id, self._save(proposal)

    @commutes
    def support_proposal(self, proposal_id: str, actor: str) -> int:
        proposal = self.proposal(proposal_id)
        organisation = self._participant(proposal.plan_key, proposal.tavolo, actor)
        proposal.support(actor, organisation)
        return self._save(proposal)

    def decide_proposal(self, proposal_id: str, decision: str, reason: str | None, actor: str) -> tuple[int, int | None]:
        """Returns the position and the objective's version after the decision."""
        if decision not in DECISIONS:
            raise Invalid("Decisione non valida", {"decision": "Deve essere approve, reject o request_changes."})
        proposal = self.proposal(proposal_id)
        self.require_coordination(proposal.plan_key, proposal.tavolo, actor)
        plan = self.plan(proposal.plan_key)
        proposal.decide(decision, reason, actor)
        if decision != "approve":
            objective_version = None
            if proposal.objective_id:
                objective_version = self._load(Objective, UUID(proposal.objective_id), "Obiettivo sconosciuto").version
            return self._save(proposal), objective_version
        plan.require_open_to_proposals()
        if proposal.kind == "new_objective":
            objective = Objective(id=uuid4(), plan_key=plan.key, ref=self._next_ref(plan, proposal.macro_area),
                                  macro_area=proposal.macro_area, tavolo=proposal.tavolo,
                                  fields=self.card(proposal.changes),
                                  actor=actor, proposal_id=str(proposal.id))
            plan.register_objective(objective.ref, str(objective.id), actor)
            return self._save(proposal, objective, plan), objective.version
        objective = self._load(Objective, UUID(proposal.objective_id), "Obiettivo sconosciuto")
        self._refuse_on_conflict(objective, proposal)
        objective.change_fields(proposal.changes, proposal.base_version, actor, proposal_id=str(proposal.id))
        objective.reopen_after_change(actor)
        return self._save(proposal, objective), objective.version

    def _refuse_on_conflict(self, objective: Objective, proposal: Proposal) -> None:
        stale = objective.stale_fields(proposal.changes, proposal.base_version)
        if stale:
            raise Conflict(
                "L'obiettivo è cambiato dopo la proposta: va rivista sulla versione attuale",
                {"fields": {name: {"base": proposal.base_values.get(name), "current": objective.fields.get(name),
                                   "proposed": proposal.changes[name]} for name in stale},
                 "current_version": objective.version})

    @staticmethod
    def _next_ref(plan, macro_area: str) -> str:
        """The next free ref of the macro-area, never one another objective had before a rename: in
        the minutes and the history a ref must keep naming one objective."""
        taken = plan.used_refs
        numbers = [int(m.group(1)) for ref in taken if (m := re.fullmatch(re.escape(macro_area) + r"\.(\d+)", ref))]
        n = max(numbers, default=0) + 1
        while f"{macro_area}.{n}" in taken:
            n += 1
        return f"{macro_area}.{n}"
