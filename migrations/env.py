"""Alembic environment: manages the read-model and personal-data tables only.

The event store's tables (stored_events, coprogramma_events, ...) live in the same database
on PostgreSQL; `include_name` keeps autogenerate from ever proposing to drop them.
"""
from alembic import context
from sqlalchemy import engine_from_config, pool

import server.models  # noqa: F401
from server.db import Base

config = context.config
target_metadata = Base.metadata


def include_name(name, type_, parent_names):
    if type_ == "table":
        return name in target_metadata.tables
    return True


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      include_name=include_name, render_as_batch=True, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                    prefix="sqlalchemy.", poolclass=pool.NullPool)
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      include_name=include_name, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
