"""Alembic owns the read-model and personal-data tables, and never the event store's."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import server.models  # noqa: F401
from server.application import SYSTEM
from server.db import Base
from server.runtime import Runtime

ENV = Path(__file__).resolve().parents[2] / "migrations" / "env.py"


def include_name():
    """The filter of migrations/env.py itself, not a copy of it."""
    source = ENV.read_text()
    namespace = {"target_metadata": Base.metadata}
    start = source.index("def include_name")
    exec(source[start:source.index("\n\n\n", start)], namespace)  # noqa: S102
    return namespace["include_name"]


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
