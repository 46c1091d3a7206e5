"""Tamper evidence and determinism, on the real stores (SQLite and PostgreSQL).

Editing one stored event row directly in the database makes verification fail at exactly that
position; rebuilding every read model from position 0 gives byte-identical plan exports and the
same head of the chain.
"""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

from server.audit.verify import verify
from server.demo import load_demo
from server.planexport import export_plan
from server.planformat import dumps
from server.projections.chain import ChainRow
from server.projections.plans import PlanRow
from server.runtime import Runtime
from tests.projections.replay_history import rich_history
from tests.projections.test_projector import dump_read_models


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def stored_state(runtime, position: int) -> bytes:
    return bytes(runtime.app.recorder.select_notifications(start=position, limit=1)[0].state)


def run_sql(runtime, statement: str, *params) -> int:
    """Runs SQL on the event store itself, behind the application's back (as an intruder would)."""
    if runtime.settings.is_postgres:
        import psycopg

        url = runtime.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(statement.replace("?", "%s").replace("stored_events", "coprogramma_events")
                                .replace("rowid", "notification_id"), params).rowcount
    with sqlite3.connect(runtime.settings.instance / "events.sqlite3") as conn:
        return conn.execute(statement, params).rowcount


def test_the_chain_covers_every_event_and_verifies(rt):
    rich_history(rt.app)
    rt.projector.run_once()
    report = verify(rt)
    assert report["ok"] is True and report["first_bad_position"] is None
    assert report["events"] == rt.event_position()
    with rt.sessions() as s:
        links = s.execute(select(ChainRow.position, ChainRow.link).order_by(ChainRow.position)).all()
    assert [p for p, _ in links] == list(range(1, rt.event_position() + 1))
    assert report["head"] == links[-1].link and len(set(link for _, link in links)) == len(links)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_editing_one_stored_event_fails_verification_at_exactly_that_position(rt, where):
    rich_history(rt.app)
    rt.projector.run_once()
    head = rt.event_position()
    position = {"first": 1, "middle": head // 2, "last": head}[where]
    original = stored_state(rt, position)
    tampered = original + b" "  # still valid JSON: the application would read it without noticing
    assert rt.app.mapper.transcoder.decode(tampered) == rt.app.mapper.transcoder.decode(original)
    assert run_sql(rt, "UPDATE stored_events SET state = ? WHERE rowid = ?", tampered, position) == 1
    report = verify(rt)
    assert report == {**report, "ok": False, "first_bad_position": position, "events": head}
    assert run_sql(rt, "UPDATE stored_events SET state = ? WHERE rowid = ?", original, position) == 1
    assert verify(rt)["ok"] is True  # put back byte for byte: intact again


def test_a_deleted_event_or_a_rewritten_link_is_found(rt):
    rich_history(rt.app)
    rt.projector.run_once()
    head = rt.event_position()
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE rm_chain SET link = :link WHERE position = :p"), {"link": "0" * 64, "p": 7})
    assert verify(rt)["first_bad_position"] == 7
    rt.projector.rebuild()  # the chain is a projection: rebuilt from the (intact) log
    assert verify(rt)["ok"] is True
    assert run_sql(rt, "DELETE FROM stored_events WHERE rowid = ?", head - 3) == 1
    report = verify(rt)
    assert report["ok"] is False and report["first_bad_position"] == head - 3 and report["events"] == head - 1


def test_rebuilding_from_zero_gives_byte_identical_exports_and_the_same_head(rt):
    load_demo(rt)
    rich_history(rt.app)
    rt.projector.run_once()

    def exports() -> dict[str, bytes]:
        with rt.sessions() as s:
            return {key: dumps(export_plan(s, key)).encode("utf-8") for key in s.scalars(select(PlanRow.key))}

    before, head, tables = exports(), verify(rt)["head"], dump_read_models(rt)
    assert len(before) == 4
    rt.projector.rebuild()
    assert exports() == before
    report = verify(rt)
    assert report["ok"] and report["head"] == head
    assert dump_read_models(rt) == tables  # checkpoints and chain included
