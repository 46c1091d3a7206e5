"""Alembic owns the read-model and personal-data tables, and never the event store's."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

import server.models  # noqa: F401
from server.application import SYSTEM
from server.db import Base, alembic_config
from server.projections import all_projections
from server.projections.history import HistoryRow, with_events
from server.projections.projector import Projector
from server.runtime import Runtime

ENV = Path(__file__).resolve().parents[2] / "migrations" / "env.py"


def include_name():
    """The filter of migrations/env.py itself, not a copy of it."""
    source = ENV.read_text()
    namespace = {"target_metadata": Base.metadata}
    start = source.index("def include_name")
    exec(source[start:source.index("\n\n\n", start)], namespace)  # noqa: S102
    return namespace["include_name"]


def downgrade(runtime, revision: str) -> None:
    """Takes the read-model database down to `revision`, as Alembic's command line would."""
    from alembic import command

    config = alembic_config(runtime.settings.read_model_url)
    with runtime.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def refill(upgraded, projection: str, batch_size: int) -> None:
    """After an upgrade that empties one projection: it alone starts again from 0 and catches up in
    several batches while the others are ahead; none moves back, none applies an event twice."""
    head = upgraded.event_position()
    assert upgraded.projector.positions()[projection] == 0 < upgraded.projector.positions()["plans"] == head
    upgraded.projector.batch_size = batch_size
    upgraded.projector.run_once()
    assert set(upgraded.projector.positions().values()) == {head}


def test_migrations_match_the_models_and_leave_event_tables_alone(settings):
    runtime = Runtime(settings)  # upgrades to head
    try:
        runtime.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
        with runtime.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name()})
            diff = compare_metadata(context, Base.metadata)
            # Pretend the event store shares this database (it does on PostgreSQL): a filter-less
            # autogenerate would propose dropping its tables; ours must not.
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS stored_events_probe (id integer)")
            diff_with_foreign = compare_metadata(context, Base.metadata)
        assert diff == [], diff
        assert diff_with_foreign == [], diff_with_foreign
        tables = set(inspect(runtime.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        if settings.is_postgres:  # events and read models live side by side
            assert "coprogramma_events" in tables
    finally:
        runtime.close()


def test_upgrade_is_idempotent_across_restarts(settings):
    Runtime(settings).close()
    runtime = Runtime(settings)
    try:
        assert runtime.projector.position() == 0
    finally:
        runtime.close()


def _schema_diff(runtime) -> list:
    with runtime.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name()}),
                                Base.metadata)


def _history(runtime) -> list[tuple]:
    with runtime.sessions() as s:
        rows = with_events(runtime.app, s.scalars(select(HistoryRow).order_by(HistoryRow.position)).all())
        return [(row.position, row.type, row.summary, row.data) for row in rows]


def test_0005_refills_the_history_from_the_log_in_its_new_shape(settings):
    """The history changed shape (stored state instead of data and summary): upgrading an existing
    database recreates the table and refills it from the event log, leaving the other read models alone."""

    runtime = Runtime(settings)
    try:
        runtime.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
        runtime.projector.run_once()
        before = _history(runtime)
        assert [kind for _, kind, _, _ in before] == ["Plan.Created"]
        assert before[0][2] == "Creato il piano «Piano»" and before[0][3]["title"] == "Piano"
        downgrade(runtime, "0004")
        columns = {c["name"] for c in inspect(runtime.engine).get_columns("rm_history")}
        assert {"data", "summary"} <= columns and "state" not in columns
    finally:
        runtime.close()
    upgraded = Runtime(settings)  # upgrades to head; the history projection starts again from 0
    try:
        assert upgraded.projector.positions()["history"] == 0
        assert upgraded.projector.positions()["plans"] > 0
        upgraded.projector.run_once()
        assert _history(upgraded) == before
        assert _schema_diff(upgraded) == []
    finally:
        upgraded.close()



def test_0006_refills_the_history_so_that_older_rows_are_filed_anew(settings):
    """Rows projected before 0006 left an objective's registration outside its tavolo: upgrading
    empties the history and refills it from the log with the current rules."""
    import uuid

    from sqlalchemy import update

    runtime = Runtime(settings)
    try:
        runtime.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
        runtime.app.add_macro_area("p", "A", "Povertà", [], SYSTEM)
        runtime.app.create_tavolo("p", "t", "Tavolo", ["A"], SYSTEM)
        runtime.app.create_objective("p", uuid.uuid4(), "A.1", "A", "t", {"title": "Primo"}, SYSTEM)
        runtime.projector.run_once()
        with runtime.sessions.begin() as s:  # as the older projection had filed it
            s.execute(update(HistoryRow).where(HistoryRow.type == "Plan.ObjectiveRegistered").values(tavolo=None))
        downgrade(runtime, "0005")
    finally:
        runtime.close()
    upgraded = Runtime(settings)
    try:
        head = upgraded.event_position()
        refill(upgraded, "history", 2)
        with upgraded.sessions() as s:
            registered = s.scalars(select(HistoryRow).where(HistoryRow.type == "Plan.ObjectiveRegistered")).one()
            assert s.scalar(select(func.count()).select_from(HistoryRow)) == head
        assert registered.tavolo == "t" and registered.objective_ref == "A.1"
    finally:
        upgraded.close()

def test_0007_drops_the_history_copy_of_each_event_and_keeps_its_rows(settings):
    """Rows of a history that kept each event's state stay, without it: readers take the events from the
    store, so nothing needs projecting again (and nothing is pushed live again)."""
    from sqlalchemy import text

    runtime = Runtime(settings)
    try:
        runtime.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
        runtime.app.add_macro_area("p", "A", "Povertà", [], SYSTEM)
        runtime.projector.run_once()
        before = _history(runtime)
        with runtime.sessions() as s:
            rows = [{column.name: getattr(row, column.name) for column in HistoryRow.__table__.columns}
                    for row in s.scalars(select(HistoryRow).order_by(HistoryRow.position))]
        downgrade(runtime, "0006")
        with runtime.engine.begin() as conn:
            assert conn.scalar(text("SELECT count(*) FROM rm_history")) == 0
            for row in rows:  # as 0006's projection had written them, with their copy of the state
                conn.execute(text(f"INSERT INTO rm_history ({', '.join(row)}, topic, state) "
                                  f"VALUES ({', '.join(':' + name for name in row)}, :topic, :state)"),
                             {**row, "at": row["at"].isoformat(" "), "topic": "m:X", "state": b"{}"})
            conn.execute(text("INSERT INTO projection_tracking (name, position) VALUES ('history', :p)"),
                         {"p": rows[-1]["position"]})  # (the downgrade had reset it)
    finally:
        runtime.close()
    upgraded = Runtime(settings)
    try:
        assert not {"state", "topic"} & {c["name"] for c in inspect(upgraded.engine).get_columns("rm_history")}
        assert upgraded.projector.positions()["history"] == upgraded.event_position()  # nothing to refill
        assert _history(upgraded) == before
        assert _schema_diff(upgraded) == []
    finally:
        upgraded.close()


def test_0008_refills_the_proposals_which_then_read_their_values_from_the_event_store(settings):
    """Proposals kept a copy of their changes and base values: upgrading empties their three tables and
    refills them from the log, the other read models staying where they are; a proposal reads the
    same afterwards."""
    import uuid

    from sqlalchemy import text

    from server.directory import Principal
    from server.queries.proposals import get_proposal
    from tests.projections.replay_history import rich_history

    auditor = Principal("revisore", None, None, None, ("auditor",), {})

    runtime = Runtime(settings)
    try:
        rich_history(runtime.app)
        runtime.projector.run_once()
        with runtime.sessions() as s:
            ids = [row[0] for row in s.execute(text("SELECT id FROM rm_proposals ORDER BY created_position"))]
            before = [get_proposal(s, i, auditor, runtime.app) for i in ids]
        downgrade(runtime, "0007")
        assert "changes" in {c["name"] for c in inspect(runtime.engine).get_columns("rm_proposals")}
    finally:
        runtime.close()
    upgraded = Runtime(settings)
    try:
        refill(upgraded, "proposals", 3)
        with upgraded.sessions() as s:
            after = [get_proposal(s, i, auditor, upgraded.app) for i in ids]
        assert after == before and len(after) >= 3 and uuid.UUID(after[0]["id"])
        assert any(p["revisions"] for p in after)  # a revised one too: its values are the revision's
        assert _schema_diff(upgraded) == []
    finally:
        upgraded.close()


def test_a_rebuild_leaves_every_index_in_place_even_when_interrupted(settings, monkeypatch):
    """A rebuild drops the secondary indexes while it loads the tables and creates them at the end;
    if it dies half-way, the next projector to start creates them again."""
    from server.projections.history import HistoryProjection

    runtime = Runtime(settings)
    try:
        runtime.app.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
        runtime.projector.rebuild()
        assert _schema_diff(runtime) == []
        monkeypatch.setattr(HistoryProjection, "apply", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt))
        monkeypatch.setattr(Projector, "_ensure_indexes", lambda self: None)  # as if the process were killed
        with pytest.raises(KeyboardInterrupt):
            runtime.projector.rebuild()
        assert any(kind == "add_index" for kind, *_ in _schema_diff(runtime))
        monkeypatch.undo()
        Projector(runtime.app, runtime.sessions, all_projections())
        assert _schema_diff(runtime) == []
    finally:
        runtime.close()
