"""Bulk inserts of the projections (one executemany on SQLite, one COPY on PostgreSQL) store every
value exactly as a plain INSERT would: text with tabs, newlines, backslashes and COPY's NULL
marker, NULLs, bytes, JSON with exact Decimals, times."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from server.projections.proposals import ProposalRow
from server.projections.rows import insert_many
from server.runtime import Runtime

TRICKY = ["tab\there", "riga uno\nriga due\r\n", "barra \\ e \\N e \\.", "\\N", "", "città «perché» €", "'; --"]


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def proposal(i: int, text: str | None) -> dict:
    at = datetime(2025, 3, 14, 10, i, tzinfo=timezone(timedelta(hours=1)))
    return dict(id=f"p{i}", plan_key="p", tavolo=None, kind="amendment", objective_id=None, macro_area=None,
                base_version=i, fields=["budget"], content_position=i, rationale=text, author="a",
                organisation=None, status="open", decision={"budget": {"amount_eur": Decimal("1250.50"), "note": text}},
                revisions=0, created_at=at, created_position=i, updated_at=at, updated_position=i)


def test_bulk_inserts_store_what_plain_inserts_store(rt):
    bulk = [proposal(i, text) for i, text in enumerate(TRICKY + [None])]
    plain = [{**row, "id": "plain-" + row["id"]} for row in bulk]
    with rt.sessions.begin() as session:
        insert_many(session, ProposalRow.__table__, bulk)
        session.execute(insert(ProposalRow.__table__), plain)
    with rt.sessions() as session:
        rows = {r.id: r for r in session.scalars(select(ProposalRow))}
    for row in bulk:
        got, expected = rows[row["id"]], rows["plain-" + row["id"]]
        assert got.rationale == expected.rationale == row["rationale"]
        assert got.decision == expected.decision == row["decision"]
        assert got.decision["budget"]["amount_eur"] == Decimal("1250.50")
        assert got.created_at == expected.created_at == row["created_at"]
