"""How values are written into the read-model columns: JSON with exact Decimals, times as UTC text
in SQLite's own format (rows written before and after must compare and sort alike)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, JSON, insert, select, text
from sqlalchemy.dialects import sqlite

from server.db import UTCDateTime, make_engine
from server.jsonutil import dumps_compact, dumps_stored, loads

ROME = timezone(timedelta(hours=1))


def test_stored_json_keeps_decimal_digits_text_and_dates():
    value = {"amount_eur": Decimal("1250.50"), "tiny": Decimal("0.000001"), "items": [Decimal("10"), "città"],
             "on": date(2025, 3, 14), "at": datetime(2025, 3, 14, 9, 30, tzinfo=ROME), 3: "chiave numerica"}
    stored = dumps_stored(value)
    assert '"amount_eur":1250.50' in stored and '"tiny":0.000001' in stored
    back = loads(stored)
    assert back["amount_eur"] == Decimal("1250.50") and str(back["amount_eur"]) == "1250.50"
    assert back["items"] == [Decimal("10"), "città"]
    assert back["on"] == "2025-03-14" and back["at"] == "2025-03-14T09:30:00+01:00"
    assert back["3"] == "chiave numerica"
    with pytest.raises(TypeError):
        dumps_stored({"x": object()})


def test_stored_json_takes_what_json_allows_beyond_orjson():
    """Integers beyond 64 bits and deep nesting are valid JSON: refusing them would stop the
    projector on that event for good."""
    deep: list = []
    for _ in range(300):
        deep = [deep]
    for value in ({"n": 2 ** 70, "eur": Decimal("1.10"), "t": "città"}, {"deep": deep}):
        assert loads(dumps_stored(value)) == value
        assert loads(dumps_compact(value)) == value


@pytest.mark.parametrize("moment", [
    datetime(2025, 3, 14, 10, 0, tzinfo=timezone.utc),
    datetime(2025, 3, 14, 10, 0, 5, 123, tzinfo=ROME),
    datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
])
def test_sqlite_times_are_written_as_sqlalchemy_writes_them(moment):
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    sqlalchemys = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours(moment) == sqlalchemys(moment.astimezone(timezone.utc))


def test_times_go_in_aware_and_come_back_in_utc(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'values.sqlite3'}")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime),
                  Column("data", JSON))
    table.create(engine)
    moment = datetime(2025, 3, 14, 10, 0, 5, 123, tzinfo=ROME)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"id": 1, "at": moment, "data": {"eur": Decimal("9.90")}},
                                           {"id": 2, "at": None, "data": None}])
        with pytest.raises(Exception, match="naive datetime"):
            connection.execute(insert(table), [{"id": 3, "at": datetime(2025, 3, 14), "data": None}])
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.id)).all()
        stored = connection.execute(text("SELECT at FROM t WHERE id = 1")).scalar()
    assert rows[0].at == moment and rows[0].at.tzinfo == timezone.utc
    assert stored == "2025-03-14 09:00:05.000123"
    assert rows[0].data == {"eur": Decimal("9.90")}
    assert rows[1].at is None
    engine.dispose()


@pytest.mark.skipif(not __import__("os").environ.get("COPROGRAMMA_TEST_POSTGRES_URL"),
                    reason="COPROGRAMMA_TEST_POSTGRES_URL not set")
def test_times_come_back_in_utc_whatever_the_postgresql_session_time_zone():
    """A server (or role) configured for Europe/Rome must not turn the API's times into +01:00 ones:
    the history and the exports would then differ from one installation to another."""
    from tests.conftest import postgres_database

    with postgres_database() as url:
        engine = make_engine(url)
        table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
        table.create(engine)
        moment = datetime(2025, 3, 14, 10, 0, 5, 123, tzinfo=ROME)
        with engine.begin() as connection:
            connection.execute(text("SET TIME ZONE 'Europe/Rome'"))
            connection.execute(insert(table), [{"id": 1, "at": moment}])
            back = connection.execute(select(table.c.at)).scalar()
        engine.dispose()
    assert back == moment and back.utcoffset() == timedelta(0)
    assert back.isoformat() == "2025-03-14T09:00:05.000123+00:00"
