"""The projector: exactly once, crash recovery, rebuild identical, concurrent projectors.

Runs on the embedded default (SQLite) and, when COPROGRAMMA_TEST_POSTGRES_URL is set, on PostgreSQL.
"""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select, text

from server.application import SYSTEM
from server.projections import all_projections
from server.projections.base import ProjectionTracking
from server.projections.directory import UserRow
from server.projections.history import HistoryRow, with_events
from server.projections.plans import PlansProjection, PlanRow, TavoloMemberRow
from server.projections.projector import Projector
from server.runtime import Runtime


def dump_read_models(runtime: Runtime) -> dict:
    """Every row of every projection table, in primary-key order."""
    tables = {}
    with runtime.engine.connect() as conn:
        for projection in runtime.projector.projections:
            for model in projection.tables:
                table = model.__table__
                rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                tables[table.name] = [tuple(row) for row in rows]
    return tables


def scripted_history(app) -> int:
    app.register_organisation("caritas", "Caritas", "ets", SYSTEM)
    app.register_organisation("anffas", "Anffas", "ets", SYSTEM)
    app.update_organisation("anffas", "Anffas Cremona", "ets", SYSTEM)
    app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM, municipalities=["Cremona", "Sospiro"])
    app.add_macro_area("p", "A", "Povertà", ["Isolamento"], SYSTEM)
    app.add_macro_area("p", "B", "Abitare", [], SYSTEM)
    app.create_tavolo("p", "t", "Tavolo", ["A", "B"], SYSTEM, organisations=["caritas"])
    users = [uuid.uuid4() for _ in range(4)]
    for i, uid in enumerate(users):
        app.register_account(uid, "caritas" if i % 2 else "anffas", SYSTEM)
    app.grant_role(str(users[0]), "admin", SYSTEM)
    app.grant_role(str(users[1]), "auditor", SYSTEM)
    app.revoke_role(str(users[1]), "auditor", SYSTEM)
    app.set_tavolo_member("p", "t", str(users[2]), "member", SYSTEM)
    app.set_tavolo_member("p", "t", str(users[2]), "coordinator", SYSTEM)
    app.set_tavolo_member("p", "t", str(users[3]), "member", str(users[2]))
    return app.remove_tavolo_member("p", "t", str(users[3]), str(users[2]))


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def test_each_event_is_applied_once_and_tracking_follows(rt):
    last = scripted_history(rt.app)
    assert rt.projector.run_once() == last
    assert rt.projector.run_once() == 0  # nothing applied twice
    assert set(rt.projector.positions().values()) == {last}
    with rt.sessions() as s:
        assert s.get(PlanRow, "p").municipalities == ["Cremona", "Sospiro"]
        seats = s.scalars(select(TavoloMemberRow)).all()
        assert [(m.role) for m in seats] == ["coordinator"]
        assert len(s.scalars(select(UserRow)).all()) == 4


def test_crash_inside_a_batch_leaves_no_trace_and_resumes_exactly_once(rt, monkeypatch):
    scripted_history(rt.app)
    calls = {"n": 0}
    original = PlansProjection._tavolo_created

    def crash(self, session, event, position):
        calls["n"] += 1
        raise RuntimeError("power cut")

    monkeypatch.setattr(PlansProjection, "_tavolo_created", crash)
    with pytest.raises(RuntimeError):
        rt.projector.run_once()
    # The whole batch rolled back: no rows of the plans projection, tracking untouched.
    assert rt.projector.positions() == {p.name: 0 for p in rt.projector.projections}
    with rt.sessions() as s:
        assert s.scalars(select(PlanRow)).all() == []
        assert s.scalars(select(UserRow)).all() == []
    monkeypatch.setattr(PlansProjection, "_tavolo_created", original)
    rt.projector.run_once()
    with rt.sessions() as s:
        assert len(s.scalars(select(UserRow)).all()) == 4  # not 8: exactly once
        assert s.get(PlanRow, "p") is not None


def test_events_saved_while_no_projector_ran_are_caught_up_by_a_new_process(make_settings):
    settings = make_settings()
    writer = Runtime(settings)
    last = scripted_history(writer.app)  # recorded, never projected: the process "dies" here
    writer.app.close()
    writer.engine.dispose()
    restarted = Runtime(settings)
    try:
        assert restarted.projector.position() == 0
        restarted.projector.run_once()
        assert restarted.projector.position() == last
        with restarted.sessions() as s:
            assert s.get(PlanRow, "p").title == "Piano"
    finally:
        restarted.close()


def test_rebuild_from_zero_gives_identical_tables(rt):
    scripted_history(rt.app)
    rt.projector.run_once()
    before = dump_read_models(rt)
    assert sum(len(rows) for rows in before.values()) > 10
    with rt.engine.begin() as conn:  # damage a read model: rebuild must not keep anything
        conn.execute(text("UPDATE rm_plans SET title = 'manomesso'"))
    progressed = []
    applied = rt.projector.rebuild(progress=progressed.append)
    assert applied == rt.event_position() == sum(progressed)
    assert dump_read_models(rt) == before


def test_two_projectors_on_one_database_never_apply_an_event_twice(rt):
    scripted_history(rt.app)
    other = Projector(rt.app, rt.sessions, all_projections(), batch_size=3)
    rt.projector.batch_size = 2
    errors = []

    def run(projector):
        try:
            for _ in range(20):
                projector.run_once()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=(p,)) for p in (rt.projector, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with rt.sessions() as s:
        assert len(s.scalars(select(UserRow)).all()) == 4
        positions = set(s.scalars(select(ProjectionTracking.position)))
    assert positions == {rt.event_position()}


def test_listeners_hear_events_in_order_after_the_rows_are_committed(rt):
    seen = []

    def listener(batch):
        # The read model must already show what the listener is told about.
        with rt.sessions() as s:
            committed = s.scalars(select(ProjectionTracking.position)).all()
        seen.append(([p.position for p in batch], min(committed)))

    rt.projector.listeners.append(listener)
    rt.projector.batch_size = 5
    last = scripted_history(rt.app)
    rt.projector.run_once()
    positions = [p for batch, _ in seen for p in batch]
    assert positions == sorted(positions) and positions[-1] == last
    assert all(committed >= batch[-1] for batch, committed in seen)


def test_background_projector_is_woken_by_saves(rt):
    rt.projector.start()
    position = rt.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
    deadline = threading.Event()
    for _ in range(100):
        if rt.projector.position() >= position:
            break
        deadline.wait(0.02)
    assert rt.projector.position() >= position


def test_history_reads_events_back_when_the_store_compresses_them(settings, monkeypatch):
    """The history keeps each event's state as the transcoder wrote it: if the operator turns on
    eventsourcing's compression (COMPRESSOR_TOPIC), it is decompressed before it is kept."""
    monkeypatch.setenv("COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor")
    runtime = Runtime(settings)
    try:
        assert runtime.app.mapper.compressor is not None
        runtime.app.create_plan("p", "Piano compresso", "Ambito", 2025, 2027, SYSTEM)
        runtime.projector.run_once()
        with runtime.sessions() as s:
            (row,) = with_events(runtime.app, [s.scalars(select(HistoryRow)).one()])
        assert row.data["title"] == "Piano compresso" and row.summary == "Creato il piano «Piano compresso»"
    finally:
        runtime.close()


def test_a_sqlite_rebuild_gives_back_connections_that_still_overwrite_deleted_data(rt):
    """The rebuild drops the old read models without secure_delete (Debian's SQLite has it on);
    the connections it returns to the pool must have it back, for the personal-data tables."""
    if rt.engine.dialect.name != "sqlite":
        pytest.skip("an SQLite pragma")
    with rt.engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    scripted_history(rt.app)
    rt.projector.rebuild()
    connections = [rt.engine.connect() for _ in range(rt.engine.pool.size())]
    try:
        assert {c.exec_driver_sql("PRAGMA secure_delete").scalar() for c in connections} == {before}
    finally:
        for c in connections:
            c.close()


def test_postgresql_compresses_large_read_model_values_with_lz4(rt):
    """The cards and checkpoints are large JSON values; pglz made writing them the slowest part
    of a PostgreSQL rebuild. The engine asks for lz4 (when the server has it)."""
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with rt.engine.connect() as conn:
        if not conn.exec_driver_sql("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                    "WHERE name = 'default_toast_compression'").scalar():
            pytest.skip("this PostgreSQL was built without lz4")
    rt.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
    rt.app.add_macro_area("p", "A", "Povertà", [], SYSTEM)
    rt.app.create_tavolo("p", "t", "Tavolo", ["A"], SYSTEM)
    context = " ".join(f"Il contesto dell'ambito, paragrafo {i}." for i in range(600))  # ~25 KB
    rt.app.create_objective("p", uuid.uuid4(), "A.1", "A", "t", {"title": "Lungo", "context": context}, SYSTEM)
    rt.projector.rebuild()
    with rt.engine.connect() as conn:
        method = conn.exec_driver_sql("SELECT pg_column_compression(fields) FROM rm_objectives").scalar()
        fields = conn.exec_driver_sql("SELECT fields FROM rm_objectives").scalar()
    assert method == "lz4"
    assert fields["context"] == context
