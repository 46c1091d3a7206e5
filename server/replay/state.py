"""The plan at any moment: a position (`at`) or a time (`as_of`, the last position at or before it).

state_at = the plan's latest checkpoint at or before the latest mark <= p, plus the raw events
after the mark up to p (server/projections/checkpoints.py); full_replay folds the whole log from
position 0 and must always agree with it (tested).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from server.events.errors import Invalid, NotFound
from server.projections.checkpoints import fold_at
from server.projections.history import HistoryRow
from server.replay.fold import LogFold, PlanState
from server.replay.log import replay
from server.validation.fields import OUT_OF_RANGE, representable


def head(runtime) -> int:
    return runtime.event_position()


def position_at_time(session, when: datetime) -> int:
    """The last position recorded at or before `when` (0: before the first event)."""
    return session.scalar(select(func.max(HistoryRow.position)).where(HistoryRow.at <= when)) or 0


def resolve(runtime, session, at: int | None = None, as_of: datetime | None = None, name: str = "at") -> int:
    """The position a request means; the head when it names none. 422 for a position not yet recorded."""
    last = head(runtime)
    if at is not None and as_of is not None:
        raise Invalid("Indicare una posizione oppure un istante, non entrambi",
                      {name: "Usare solo uno tra «at» e «as_of»."})
    if as_of is not None:
        if as_of.tzinfo is None:
            raise Invalid("Istante senza fuso orario", {name: "Indicare il fuso orario (es. +01:00)."})
        if not representable(as_of):
            raise Invalid("Istante non valido", {name: OUT_OF_RANGE})
        return min(position_at_time(session, as_of), last)
    if at is None:
        return last
    if at < 0 or at > last:
        raise Invalid("Posizione non valida", {name: f"La posizione deve essere compresa tra 0 e {last}."})
    return at


def state_at(runtime, session, plan_key: str, position: int) -> PlanState | None:
    """The plan as it was once every event up to `position` had been applied; None if it did not exist yet."""
    fold, _mark, _touched = fold_at(session, runtime.app, position, plan_key)
    return fold.plans.get(plan_key)


def full_replay(runtime, plan_key: str, position: int) -> PlanState | None:
    """The same, without checkpoints: every event from position 0 (the reference for the tests)."""
    fold = LogFold(only=plan_key)
    replay(runtime.app, fold, 0, position)
    return fold.plans.get(plan_key)


def require_state(runtime, session, plan_key: str, position: int) -> PlanState:
    plan = state_at(runtime, session, plan_key, position)
    if plan is None:
        raise NotFound("Il piano non esisteva ancora in quel momento", {"plan": plan_key, "position": position})
    return plan
