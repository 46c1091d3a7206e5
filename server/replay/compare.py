"""The time-travel questions as the API and the CLI ask them: an objective then, the diff between
two moments, the provenance of an objective's fields. `moment` is {"at": position} or
{"as_of": time} (or {} for now)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from server.events.errors import NotFound
from server.projections.objectives import ObjectiveRow
from server.queries.plans import get_plan_row
from server.replay.diff import diff_states
from server.replay.provenance import provenance
from server.replay.shape import find_objective, objective_state, plan_state
from server.replay.state import require_state, resolve, state_at


def _current_id(session, plan_key: str, ref: str) -> str | None:
    return session.scalar(select(ObjectiveRow.id).where(ObjectiveRow.plan_key == plan_key, ObjectiveRow.ref == ref))


def objective_then(runtime, session, plan_key: str, ref: str, position: int):
    """The objective called `ref` at `position` (or the one called so now, as it was then)."""
    plan = require_state(runtime, session, plan_key, position)
    objective = find_objective(plan, ref, _current_id(session, plan_key, ref))
    if objective is None:
        raise NotFound(f"In quel momento nessun obiettivo del piano si chiamava «{ref}» (né esisteva ancora "
                       f"l'obiettivo che si chiama così ora)", {"ref": ref, "position": position})
    return objective


def objective_at(runtime, session, plan_key: str, ref: str, moment: dict) -> dict:
    get_plan_row(session, plan_key)
    position = resolve(runtime, session, **moment)
    return objective_state(objective_then(runtime, session, plan_key, ref, position))


def plan_diff(runtime, session, plan_key: str, start: dict, end: dict) -> dict:
    get_plan_row(session, plan_key)
    first = resolve(runtime, session, name="from", **start)
    last = resolve(runtime, session, name="to", **end)
    before, after = state_at(runtime, session, plan_key, first), state_at(runtime, session, plan_key, last)
    return {"from": {"position": first}, "to": {"position": last},
            **diff_states(plan_state(before) if before else None, plan_state(after) if after else None)}


def objective_provenance(runtime, session, plan_key: str, ref: str, moment: dict,
                         check: Callable[[str | None], None] | None = None) -> dict:
    """`check(tavolo)` may refuse (raise) before anything is read about the objective's history."""
    get_plan_row(session, plan_key)
    if moment:
        position = resolve(runtime, session, **moment)
        objective = objective_then(runtime, session, plan_key, ref, position)
        oid, tavolo, current_ref = objective.id, objective.tavolo, objective.ref
    else:
        row = session.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == plan_key,
                                                         ObjectiveRow.ref == ref)).first()
        if row is None:
            raise NotFound("Obiettivo sconosciuto", {"ref": ref})
        position, oid, tavolo, current_ref = runtime.projector.position(), row.id, row.tavolo, row.ref
    if check:
        check(tavolo)
    return {"ref": current_ref, "id": oid, "position": position, **provenance(runtime.app, session, oid, position)}
