"""Import of a `coprogramma/plan@1` document: the whole plan recorded in one atomic save."""
from __future__ import annotations

from uuid import uuid4

from server.application.proposals import ProposalCommands
from server.events.errors import Conflict
from server.events.ids import organisation_id, plan_id
from server.events.objective import Objective
from server.events.organisation import Organisation
from server.events.plan import Plan
from server.events.tavolo import Tavolo
from server.planformat import Document


class ImportCommands(ProposalCommands):
    def import_plan(self, doc: Document, file_name: str, sha256: str, actor: str) -> int:
        """Records a valid document as events attributed to `actor`; all or nothing."""
        self.require_admin(actor)
        info = doc.plan
        if plan_id(info["key"]) in self.repository:
            raise Conflict("Esiste già un piano con questa chiave", {"key": info["key"]})
        organisations = [Organisation(key=o["key"], name=o["name"], kind=o["kind"], actor=actor)
                         for o in doc.organisations if organisation_id(o["key"]) not in self.repository]
        plan = Plan(key=info["key"], title=info["title"], ambito=info["ambito"], period_from=info["period"]["from"],
                    period_to=info["period"]["to"], lead_body=info.get("lead_body"),
                    managing_agency=info.get("managing_agency"), municipalities=info.get("municipalities", []),
                    sub_areas=info.get("sub_areas", []), actor=actor)
        plan.record_import(file_name=file_name, sha256=sha256, format=doc.format, actor=actor)
        for area in doc.macro_areas:
            plan.add_macro_area(area["code"], area["name"], area.get("key_points", []), actor)
        tavoli = [Tavolo(plan_key=plan.key, key=t["key"], name=t["name"], macro_areas=t.get("macro_areas", []),
                         mandate=t.get("mandate"), organisations=t.get("members", []), actor=actor)
                  for t in doc.tavoli]
        objectives = []
        for item in doc.objectives:
            objective = Objective(id=uuid4(), plan_key=plan.key, ref=item["ref"], macro_area=item["macro_area"],
                                  tavolo=item.get("tavolo"), fields=Document.objective_fields(item), actor=actor)
            plan.register_objective(objective.ref, str(objective.id), actor)
            objectives.append(objective)
        plan.set_reference_data(organisations=doc.organisations, leps=doc.leps,
                                evaluations=[_by_id(e, plan.objectives) for e in doc.evaluations], actor=actor)
        return self._save(*organisations, plan, *tavoli, *objectives)


def _by_id(evaluation: dict, refs: dict[str, str]) -> dict:
    """Evaluations point at this plan's objectives by id, so renaming an objective keeps them right."""
    stored = {k: v for k, v in evaluation.items() if k != "reproposed_as"}
    if evaluation.get("reproposed_as"):
        stored["reproposed_as_objective_ids"] = [refs[ref] for ref in evaluation["reproposed_as"]]
    return stored
