"""Home and Piano: the plans, and one plan's overview with what changed since the last visit."""
from __future__ import annotations

import logging
from decimal import Decimal

from eventsourcing.persistence import MapperDeserialisationError
from flask import render_template, session
from sqlalchemy import select

from server.queries.history import events_json, visible
from server.projections.history import HistoryRow
from server.queries.plans import list_plans, plan_detail
from server.queries.proposals import list_proposals
from server.ui import bp
from server.ui.common import rt, viewer

log = logging.getLogger(__name__)
RECENT = 15


@bp.get("/")
def home():
    me = viewer()
    with rt().sessions() as s:
        plans = list_plans(s)
    mine = sorted({(p, t, r) for (p, t), r in me.tavoli.items()}) if me else []
    return render_template("home.html", plans=plans, my_tavoli=mine)


@bp.get("/piani/<key>")
def plan(key):
    me = viewer()
    with rt().sessions() as s:
        detail = plan_detail(s, key)
        news, since = _news(s, key, me)
        open_counts = _open_proposals(s, key, me)
    totals = _totals(detail["objectives"])
    return render_template("plan.html", plan=detail, totals=totals, news=news, since=since, open_counts=open_counts)


def _news(s, key: str, me) -> tuple[list[dict], int | None]:
    """Events after the last position this person saw of this plan (kept in the session)."""
    if me is None:
        return [], None
    seen = dict(session.get("seen") or {})
    since = seen.get(key)
    head = rt().event_position()
    query = visible(select(HistoryRow).where(HistoryRow.plan_key == key), me, key)
    if since is not None:
        query = query.where(HistoryRow.position > since)
    rows = s.scalars(query.order_by(HistoryRow.position.desc()).limit(RECENT)).all()
    seen[key] = head
    session["seen"] = seen
    try:
        return events_json(rt().app, s, rows), since
    except MapperDeserialisationError:  # an altered log: the plan's page still opens (Storia says what happened)
        log.warning("recent changes of %s not shown: the event log is altered", key)
        return [], since


def _open_proposals(s, key: str, me) -> dict[str, int]:
    if me is None:
        return {}
    counts: dict[str, int] = {}
    for proposal in list_proposals(s, key, me, status="open"):
        counts[proposal["tavolo"]] = counts.get(proposal["tavolo"], 0) + 1
    return counts


def _totals(objectives: list[dict]) -> dict:
    total = sum((o["budget_total_eur"] or Decimal(0) for o in objectives), Decimal(0))
    return {
        "objectives": len(objectives),
        "budget": total,
        "mismatches": [o for o in objectives if o["budget_mismatch"]],
        "incomplete": [o for o in objectives if o["missing_fields"]],
        "by_status": _count(o["status"] for o in objectives),
    }


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
