"""The pure fold: the state of a plan computed from its events alone (no SQL, no I/O).

It mirrors, event by event, what the plans and objectives projections write, so that the state
at position p is exactly what the live read model showed at p. `PlanState` and `ObjectiveState`
carry the attribute names of the read-model rows, so the API's own shaping functions apply to
them unchanged (see server/replay/shape.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from server.audit.verify_bundle import uuid_text

PLAN, TAVOLO, OBJECTIVE = "Plan.", "Tavolo.", "Objective."


@dataclass
class ObjectiveState:
    id: str
    ref: str
    macro_area: str
    tavolo: str | None
    status: str
    version: int
    fields: dict
    created_position: int
    updated_position: int
    updated_at: datetime


@dataclass
class TavoloState:
    id: str
    key: str
    name: str
    macro_areas: list
    mandate: str | None
    organisations: list
    seats: dict = field(default_factory=dict)  # user id -> [role, since_position]


@dataclass
class PlanState:
    key: str
    id: str
    title: str
    ambito: str
    period_from: int
    period_to: int
    lead_body: str | None
    managing_agency: str | None
    municipalities: list
    sub_areas: list
    status: str = "drafting"
    approvals: list = field(default_factory=list)
    source: dict | None = None  # file name and SHA-256 of an imported document
    macro_areas: list = field(default_factory=list)  # [{"code", "name", "key_points"}] in order
    tavoli: dict = field(default_factory=dict)  # id -> TavoloState, in creation order
    objectives: dict = field(default_factory=dict)  # id -> ObjectiveState, in creation order
    position: int = 0  # the last event of this plan applied


def kind_of(event) -> str:
    return type(event).__qualname__


def folds(event_class: type) -> bool:
    """Whether events of this class can change a plan's state (the others are never decoded for it)."""
    return event_class.__qualname__.startswith((PLAN, TAVOLO, OBJECTIVE))


def new_plan(event, position: int) -> PlanState:
    return PlanState(key=event.key, id=str(event.originator_id), title=event.title, ambito=event.ambito,
                     period_from=event.period_from, period_to=event.period_to, lead_body=event.lead_body,
                     managing_agency=event.managing_agency, municipalities=list(event.municipalities),
                     sub_areas=list(event.sub_areas), position=position)


def apply(plan: PlanState, event, position: int) -> bool:
    """Apply one event to the plan if it belongs to it; True when it did."""
    kind, origin = kind_of(event), str(event.originator_id)
    if kind == "Tavolo.Created":
        if event.plan_key != plan.key:
            return False
        plan.tavoli[origin] = TavoloState(origin, event.key, event.name, list(event.macro_areas), event.mandate,
                                          list(event.organisations))
    elif kind == "Objective.Created":
        if event.plan_key != plan.key:
            return False
        plan.objectives[origin] = ObjectiveState(
            origin, event.ref, event.macro_area, event.tavolo, "draft", event.originator_version,
            dict(event.fields), position, position, event.timestamp)
    elif origin == plan.id:
        _plan_event(plan, kind, event, position)
    elif origin in plan.objectives:
        _objective_event(plan.objectives[origin], kind, event, position)
    elif origin in plan.tavoli:
        _tavolo_event(plan.tavoli[origin], kind, event, position)
    else:
        return False
    plan.position = position
    return True


def _plan_event(plan: PlanState, kind: str, event, position: int) -> None:
    if kind == "Plan.MacroAreaAdded":
        plan.macro_areas.append({"code": event.code, "name": event.name, "key_points": list(event.key_points)})
    elif kind == "Plan.StatusChanged":
        plan.status = event.status
    elif kind == "Plan.Approved":
        plan.status = "approved"
        plan.approvals = [*plan.approvals, {"body": event.body, "act": event.act, "date": event.date,
                                            "position": position, "at": event.timestamp.isoformat()}]
    elif kind == "Plan.PeriodExtended":
        plan.period_to = event.period_to
    elif kind == "Plan.Imported":
        plan.source = {"file_name": event.file_name, "sha256": event.sha256, "format": event.format,
                       "by": event.actor, "at": event.timestamp.isoformat(), "position": position}
    elif kind == "Plan.ObjectiveRenamed":
        objective = plan.objectives[event.objective_id]
        objective.ref, objective.updated_position, objective.updated_at = event.new_ref, position, event.timestamp
    # Created, ReferenceDataSet, ObjectiveRegistered: nothing the plan's state shows.


def _objective_event(objective: ObjectiveState, kind: str, event, position: int) -> None:
    if kind == "Objective.FieldsChanged":
        fields = dict(objective.fields)
        for name, value in event.changes.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        objective.fields = fields
    elif kind == "Objective.StatusChanged":
        objective.status = event.status
    else:
        return  # no other objective event changes the state
    objective.version, objective.updated_position, objective.updated_at = (
        event.originator_version, position, event.timestamp)


def _tavolo_event(tavolo: TavoloState, kind: str, event, position: int) -> None:
    if kind in ("Tavolo.MemberAdded", "Tavolo.MemberRoleChanged"):
        tavolo.seats[event.user_id] = [event.role, position]
    elif kind == "Tavolo.MemberRemoved":
        tavolo.seats.pop(event.user_id, None)


class LogFold:
    """The state of every plan (or of one plan, `only`), folded from the log in position order."""

    def __init__(self, plans: dict[str, PlanState] | None = None, only: str | None = None):
        self.plans: dict[str, PlanState] = dict(plans or {})
        self.only = only
        self.owners: dict[str, str] = {}  # aggregate id -> plan key
        for plan in self.plans.values():
            self._own(plan)

    def _own(self, plan: PlanState) -> None:
        self.owners[plan.id] = plan.key
        self.owners.update(dict.fromkeys(plan.tavoli, plan.key))
        self.owners.update(dict.fromkeys(plan.objectives, plan.key))

    def apply(self, event, position: int) -> str | None:
        """Apply one event; returns the key of the plan it changed, if any."""
        kind = kind_of(event)
        if kind == "Plan.Created":
            if self.only and event.key != self.only:
                return None
            plan = self.plans[event.key] = new_plan(event, position)
        elif kind in ("Tavolo.Created", "Objective.Created"):
            plan = self.plans.get(event.plan_key)
        else:
            plan = self.plans.get(self.owners.get(str(event.originator_id)))
        if plan is None or not apply(plan, event, position):
            return None
        self.owners[str(event.originator_id)] = plan.key
        return plan.key

    def wants(self, originator_id, originator_version: int) -> bool:
        """Whether a stored event may matter (checked before decoding it): creations, and our aggregates."""
        return originator_version == 1 or uuid_text(originator_id) in self.owners
