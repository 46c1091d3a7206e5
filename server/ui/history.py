"""Storia: the event timeline with filters, "Riproduci" (the plan at a chosen moment, step by
step), "Confronta" (two moments as a structured diff) and "Verifica integrità"."""
from __future__ import annotations

from datetime import datetime, time

from flask import render_template, request
from sqlalchemy import func, select

from server.queries.history import history_page, visible
from server.projections.history import HistoryRow
from server.queries.plans import get_plan_row, plan_detail
from server import audit
from server.events.errors import Forbidden
from server.ui import bp
from server.ui.common import ROME, is_partial, login_required, people_names, rt, viewer

PAGE = 50


@bp.get("/piani/<key>/storia")
@login_required
def history(key):
    me = viewer()
    args = request.args
    filters = {"objective": args.get("obiettivo") or None, "tavolo": args.get("tavolo") or None,
               "actor": args.get("persona") or None, "since": _day(args.get("dal")),
               "until": _day(args.get("al"), end=True), "after": _int(args.get("dopo"))}
    with rt().sessions() as s:
        plan = plan_detail(s, key)
        events, next_after = history_page(s, key, me, limit=PAGE, **filters)
        base = visible(select(HistoryRow).where(HistoryRow.plan_key == key), me, key).subquery()
        first, head = s.execute(select(func.min(base.c.position), func.max(base.c.position))).one()
        actors = people_names(s, s.scalars(select(base.c.actor).distinct()).all())
    replay = _replay(key, first, head)
    exports = {"objective": filters["objective"], "tavolo": filters["tavolo"], "actor": filters["actor"],
               "since": filters["since"] and filters["since"].isoformat(),
               "until": filters["until"] and filters["until"].isoformat()}
    return render_template("history.html", plan=plan, events=events, next_after=next_after, filters=args,
                           exports={name: value for name, value in exports.items() if value},
                           actors=sorted(actors.items(), key=lambda kv: kv[1] or ""), first=first, head=head,
                           replay=replay, compare=_compare(key, head), verification=_verification())


@bp.get("/piani/<key>/storia/riproduci")
@login_required
def replay(key):
    """The replay region alone, for the time slider's JavaScript (also a page of its own)."""
    me = viewer()
    with rt().sessions() as s:
        plan = get_plan_row(s, key)
        base = visible(select(HistoryRow).where(HistoryRow.plan_key == key), me, key).subquery()
        first, head = s.execute(select(func.min(base.c.position), func.max(base.c.position))).one()
    template = "partials/replay.html" if is_partial() else "replay_page.html"
    return render_template(template, plan=plan, replay=_replay(key, first, head))


def _replay(key: str, first: int | None, head: int | None) -> dict | None:
    if first is None:
        return None
    at = _int(request.args.get("momento"))
    at = head if at is None else max(first, min(at, head))
    me = viewer()
    with rt().sessions() as s:
        base = visible(select(HistoryRow).where(HistoryRow.plan_key == key), me, key)
        event = s.scalars(base.where(HistoryRow.position <= at).order_by(HistoryRow.position.desc()).limit(1)).first()
        prev = s.scalars(select(HistoryRow.position).where(HistoryRow.plan_key == key, HistoryRow.position < (
            event.position if event else at)).order_by(HistoryRow.position.desc()).limit(1)).first()
        nxt = s.scalars(select(HistoryRow.position).where(HistoryRow.plan_key == key, HistoryRow.position > at)
                        .order_by(HistoryRow.position).limit(1)).first()
        actor = people_names(s, [event.actor]).get(event.actor) if event and event.actor else None
        state = audit.plan_state_at(s, key, at)
    return {"at": at, "first": first, "head": head, "prev": prev, "next": nxt, "event": event, "actor": actor,
            "state": state,
            "focus": request.args.get("obiettivo") or (event.objective_ref if event else None)}


def _compare(key: str, head: int | None) -> dict | None:
    start, end = request.args.get("da"), request.args.get("a")
    if not start:
        return None
    start_at, end_at = _moment(start), _moment(end) if end else head
    result = None
    if start_at is not None and end_at is not None:
        with rt().sessions() as s:
            result = audit.plan_diff(s, key, start_at, end_at)
    return {"from": start, "to": end or head, "result": result,
            "error": None if start_at is not None and end_at is not None else
            "Indicare il momento come numero di posizione o come data (GG/MM/AAAA)."}


def _verification() -> dict | None:
    if not request.args.get("verifica"):
        return None
    try:
        return {"result": audit.verify_chain(rt(), viewer())}
    except Forbidden as refused:
        return {"error": refused.message}


def _moment(text: str):
    """A position ("1234") or a day ("14/03/2025" or "2025-03-14": its end, in Italian time)."""
    text = (text or "").strip()
    if text.isdigit():
        return int(text)
    day = _day(text, end=True)
    return day.isoformat() if day else None


def _day(text: str | None, end: bool = False) -> datetime | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        return datetime.combine(day, time.max if end else time.min, tzinfo=ROME)
    return None


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
