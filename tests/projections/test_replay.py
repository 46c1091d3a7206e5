"""The plan at any position: the fold with checkpoints equals a rebuild of the read models stopped
at that position, for every position of a scripted history, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.db import make_engine, make_sessionmaker, upgrade
from server.jsonutil import dumps
from server.projections import all_projections
from server.projections.checkpoints import CheckpointMarkRow, CheckpointRow, CheckpointsProjection
from server.projections.history import HistoryProjection, HistoryRow, with_events
from server.projections.objectives import ObjectiveRow
from server.projections.plans import PlanRow
from server.projections.projector import Projector
from server.queries.plans import plan_detail
from server.queries.objectives import objective_detail
from server.replay.shape import objective_state, plan_state
from server.replay.state import full_replay, state_at
from server.runtime import Runtime
from tests.projections.replay_history import OTHER, PLAN, rich_history


def checkpoints_of(owner) -> CheckpointsProjection:
    """The checkpoints projection of a runtime or a projector."""
    projector = getattr(owner, "projector", owner)
    return next(p for p in projector.projections if isinstance(p, CheckpointsProjection))


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings)
    checkpoints_of(runtime).every = 4  # many marks, so that every path is taken
    yield runtime
    runtime.close()


@pytest.fixture
def other_read_models(make_settings):
    """Another, empty read-model database (a fresh instance) to project the same log into."""
    engines = []

    def make(app) -> Projector:
        settings = make_settings("fresh")
        settings.prepare_instance()
        engine = make_engine(settings.read_model_url)
        upgrade(engine)
        engines.append(engine)
        return Projector(app, make_sessionmaker(engine), all_projections())

    yield make
    for engine in engines:
        engine.dispose()


def live(sessions, key: str) -> tuple[str | None, dict]:
    """What the read models show: the plan (GET /plans/{key}) with fields, and each objective's detail."""
    with sessions() as s:
        if s.get(PlanRow, key) is None:
            return None, {}
        detail = plan_detail(s, key)
        rows = {r.id: r for r in s.scalars(select(ObjectiveRow).where(ObjectiveRow.plan_key == key))}
    for entry in detail["objectives"]:
        entry["fields"] = rows[entry["id"]].fields
    return dumps(detail, sort_keys=True), {oid: dumps(objective_detail(r), sort_keys=True) for oid, r in rows.items()}


def folded(plan) -> tuple[str | None, dict]:
    if plan is None:
        return None, {}
    return (dumps(plan_state(plan), sort_keys=True),
            {oid: dumps(objective_state(o), sort_keys=True) for oid, o in plan.objectives.items()})


def test_state_at_every_position_equals_a_rebuild_stopped_there(rt, other_read_models):
    rich_history(rt.app)
    head = rt.event_position()
    rt.projector.run_once()
    fresh = other_read_models(rt.app)
    seen = set()
    for position in range(0, head + 1):
        fresh.rebuild(stop=position)
        assert fresh.position() == position
        with rt.sessions() as session:
            for key in (PLAN, OTHER):
                expected = live(fresh.sessions, key)
                assert folded(state_at(rt, session, key, position)) == expected, (key, position)
                seen.add(expected[0])
    assert len(seen) > 30  # the plans really changed along the way


def test_checkpoints_give_the_same_answer_as_a_full_replay(rt):
    rich_history(rt.app)
    head = rt.event_position()
    for every in (1, 3, 7, 1000):
        checkpoints_of(rt).every = every
        rt.projector.rebuild()
        with rt.sessions() as session:
            marks = session.scalars(select(CheckpointMarkRow.position)).all()
            assert len(marks) == (head - 1) // every
            for position in range(head + 1):
                for key in (PLAN, OTHER):
                    assert folded(state_at(rt, session, key, position)) == folded(full_replay(rt, key, position)), \
                        (every, key, position)


def test_checkpoints_do_not_depend_on_batches_restarts_or_rebuilds(rt, other_read_models):
    """A projector restarted after every single event (memory rebuilt from the checkpoints each
    time) writes the same checkpoints as one rebuild in batches of 500."""
    rich_history(rt.app)
    rt.projector.rebuild()
    with rt.sessions() as s:
        expected = [(r.plan_key, r.position, dumps(r.state, sort_keys=True))
                    for r in s.scalars(select(CheckpointRow).order_by(CheckpointRow.plan_key, CheckpointRow.position))]
    assert len(expected) > 10
    stepper = other_read_models(rt.app)
    while True:
        stepper = Projector(rt.app, stepper.sessions, all_projections(), batch_size=1)
        checkpoints_of(stepper).every = 4
        if not stepper._apply_batch():
            break
    with stepper.sessions() as s:
        got = [(r.plan_key, r.position, dumps(r.state, sort_keys=True))
               for r in s.scalars(select(CheckpointRow).order_by(CheckpointRow.plan_key, CheckpointRow.position))]
    assert got == expected


def test_a_failed_batch_does_not_leave_the_checkpoint_memory_ahead(rt, monkeypatch):
    rich_history(rt.app)
    head = rt.event_position()
    rt.projector.run_once(stop=head - 10)
    from server.projections.history import HistoryProjection

    original = HistoryProjection.apply
    monkeypatch.setattr(HistoryProjection, "apply", lambda *a: (_ for _ in ()).throw(RuntimeError("guasto")))
    with pytest.raises(RuntimeError):
        rt.projector.run_once()  # the checkpoints projection applied an event in memory, then rolled back
    monkeypatch.setattr(HistoryProjection, "apply", original)
    rt.projector.run_once()
    with rt.sessions() as s:
        for position in range(head - 12, head + 1):
            assert folded(state_at(rt, s, PLAN, position)) == folded(full_replay(rt, PLAN, position))


def test_checkpoints_of_an_older_fold_are_ignored_then_replaced(rt):
    """A checkpoint stores the fold's own shape: after an upgrade that changes it, old ones must
    not be served; the state is replayed from 0 instead, and the next mark stores it afresh."""
    rich_history(rt.app)
    head = rt.event_position()
    rt.projector.run_once(stop=head - 6)
    with rt.engine.begin() as conn:
        conn.execute(CheckpointRow.__table__.update().values(state={"format": 1, "title": "vecchio"}))
    with rt.sessions() as s:
        for position in (head - 20, head - 6):
            assert folded(state_at(rt, s, PLAN, position)) == folded(full_replay(rt, PLAN, position))
    restarted = Projector(rt.app, rt.sessions, all_projections())
    checkpoints_of(restarted).every = 4
    restarted.run_once()  # the memory is rebuilt by a replay from 0; the next marks write new checkpoints
    with rt.sessions() as s:
        latest = s.scalars(select(CheckpointRow).where(CheckpointRow.plan_key == PLAN)
                           .order_by(CheckpointRow.position.desc()).limit(1)).one()
        assert latest.state["format"] != 1 and latest.position > head - 6
        for position in range(head - 6, head + 1):
            assert folded(state_at(rt, s, PLAN, position)) == folded(full_replay(rt, PLAN, position))


def history_rows(sessions) -> list[tuple]:
    with sessions() as s:
        return [(r.position, r.plan_key, r.tavolo, r.objective_id, r.objective_ref, r.proposal_id, r.organisation)
                for r in s.scalars(select(HistoryRow).order_by(HistoryRow.position))]


def test_rows_kept_between_batches_do_not_outlive_a_failed_batch(rt, other_read_models, monkeypatch):
    """The objectives' cards and the history's subjects stay in memory from one batch to the next;
    a batch that fails after changing them must not leave them ahead of what was committed."""
    rich_history(rt.app)
    head = rt.event_position()
    changes = [n.id for n in rt.app.recorder.select_notifications(start=1, limit=head)
               if n.topic.endswith("Objective.FieldsChanged")]
    last_change = changes[-1]
    rt.projector.run_once(stop=last_change - 8)  # kept in memory now
    original = HistoryProjection.apply

    def fails_after_the_change(self, session, event, position):
        if position > last_change:
            raise RuntimeError("guasto")
        return original(self, session, event, position)

    monkeypatch.setattr(HistoryProjection, "apply", fails_after_the_change)
    with pytest.raises(RuntimeError):
        rt.projector.run_once()  # the card was changed in memory, then the batch rolled back
    monkeypatch.setattr(HistoryProjection, "apply", original)
    rt.projector.run_once(stop=last_change - 1)
    fresh = other_read_models(rt.app)
    fresh.rebuild(stop=last_change - 1)
    for key in (PLAN, OTHER):
        assert live(rt.sessions, key) == live(fresh.sessions, key), key
    assert history_rows(rt.sessions) == history_rows(fresh.sessions)
    rt.projector.run_once()
    fresh.run_once()
    for key in (PLAN, OTHER):
        assert live(rt.sessions, key) == live(fresh.sessions, key), key


@pytest.mark.parametrize("batch_size", [1, 7, 500])
def test_history_rows_name_an_objective_by_its_new_reference_after_a_rename(rt, batch_size):
    rich_history(rt.app)
    rt.projector.batch_size = batch_size
    rt.projector.run_once()
    with rt.sessions() as s:
        rename = s.scalar(select(HistoryRow.position).where(HistoryRow.type == "Plan.ObjectiveRenamed"))
    b_rows = [(position, ref) for position, _, _, _, ref, _, _ in history_rows(rt.sessions) if ref in ("B.1", "B.2")]
    assert {ref for position, ref in b_rows if position < rename} == {"B.1"}
    assert {ref for position, ref in b_rows if position >= rename} == {"B.2"}
    assert sum(position > rename for position, _ in b_rows) >= 4  # the proposals on B.2, their decisions, edits


@pytest.mark.parametrize("batch_size", [1, 2, 7])
def test_history_files_objective_events_alike_whatever_the_batches(rt, other_read_models, batch_size):
    """An objective's registration (saved just before the objective) and renames are filed under its
    tavolo, a reopening under the proposal whose approval caused it, and a new-objective proposal's
    events under the objective it created, even when a batch ends between the events of one save."""
    rich_history(rt.app)
    rt.projector.run_once()  # batches of 500: every save inside one batch
    fresh = other_read_models(rt.app)
    fresh.batch_size = batch_size
    fresh.run_once()
    assert history_rows(fresh.sessions) == history_rows(rt.sessions)
    with fresh.sessions() as s:
        rows = s.scalars(select(HistoryRow).where(HistoryRow.plan_key == PLAN).order_by(HistoryRow.position)).all()
    with_events(rt.app, rows)
    filed = [r for r in rows if r.type in ("Plan.ObjectiveRegistered", "Plan.ObjectiveRenamed")]
    assert len(filed) >= 3 and {r.tavolo for r in filed} == {"t"}
    reopened = [r for r in rows if r.type == "Objective.StatusChanged" and r.data["reason"] == "testo modificato"]
    changed_by = {r.version: r.proposal_id for r in rows if r.type == "Objective.FieldsChanged"
                  and r.aggregate_id == reopened[-1].aggregate_id}
    assert reopened[-1].proposal_id and reopened[-1].proposal_id == changed_by[reopened[-1].version - 1]
    # the new-objective proposal (approved) names the objective it created, from its first event on
    assert all(r.objective_id for r in rows if r.type.startswith("Proposal."))
