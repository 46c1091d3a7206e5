"""The relational database of read models and personal data (not the event store).

Every table of the project is declared on `Base.metadata`; Alembic owns exactly these tables
and nothing else (see migrations/env.py), so it can never touch the event store's tables.
"""
from __future__ import annotations

import logging
from pathlib import Path

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

from server import jsonutil

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class UTCDateTime(TypeDecorator):
    """Aware datetimes in and out, stored as UTC (SQLite would otherwise drop the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times must carry a time zone")
        return value.astimezone(timezone.utc)

    def bind_processor(self, dialect):
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value):
            # SQLite's own format, "YYYY-MM-DD HH:MM:SS.ffffff", written in one step: the general
            # path (this decorator, then SQLAlchemy's formatter) was ~5 % of a rebuild's time
            if value is not None and value.tzinfo is not timezone.utc:  # (events' times are UTC already)
                value = self.process_bind_param(value, dialect)
            return None if value is None else value.isoformat(" ", "microseconds")[:26]

        return to_text

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        # PostgreSQL answers in the session's time zone: UTC whatever the server is configured for
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON, datetime: UTCDateTime}


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               json_serializer=jsonutil.dumps_stored, json_deserializer=jsonutil.loads)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                           json_serializer=jsonutil.dumps_stored, json_deserializer=jsonutil.loads)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _compress_with_lz4)
    return engine


def _compress_with_lz4(dbapi_connection, _record) -> None:
    """Large values (the checkpoints' ~1 MB plan states, the cards) compressed with lz4 instead of
    PostgreSQL's default pglz: a third of the time to write the checkpoints, and smaller
    (docs/PERFORMANCE.md). Values already stored either way read back alike; a server built
    without lz4 keeps pglz."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        found = cursor.fetchone()
        if found and found[0]:
            cursor.execute("SET default_toast_compression = 'lz4'")
    dbapi_connection.commit()


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the read-model and personal-data tables to the latest Alembic revision."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        # Alembic announces its context at INFO on every start (its import and this run): noise but when debugging
        logging.getLogger("alembic").setLevel(logging.WARNING)
    from alembic import command

    import server.models  # noqa: F401  (registers every table on Base.metadata)

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
