"""Storia: the event timeline with filters, "Riproduci" (the plan at a chosen moment, step by
step), "Confronta" (two moments as a structured diff) and "Verifica integrità"."""
from __future__ import annotations

from datetime import datetime, time

from flask import render_template, request
from sqlalchemy import func, select

from server.queries.history import history_page, visible
from server.projections.history import HistoryRow, with_events
from server.queries.plans import get_plan_row, plan_detail
from server import audit
from server.events.errors import Forbidden, Invalid
from server.ui import bp
from server.ui.common import ROME, is_partial, login_required, people_names, rt, viewer
from server.ui.readable_diff import readable_diff

PAGE = 50
BAD_DAY = "data non valida, formato AAAA-MM-GG o GG/MM/AAAA."
BAD_MOMENT = "indicare il momento come numero di posizione o come data (GG/MM/AAAA)."


@bp.get("/piani/<key>/storia")
@login_required
def history(key):
    me = viewer()
    args = request.args
    filters = {"objective": args.get("obiettivo") or None, "tavolo": args.get("tavolo") or None,
               "actor": args.get("persona") or None, "since": _day(args.get("dal")),
               "until": _day(args.get("al"), end=True), "after": _int(args.get("dopo"))}
    # A date that cannot be read is said so, never dropped (the list would pretend to be filtered).
    filter_errors = {name: f"«{label}»: {BAD_DAY}"
                     for name, label, chosen in (("dal", "Dal", "since"), ("al", "Al", "until"))
                     if (args.get(name) or "").strip() and filters[chosen] is None}
    if filters["since"] and filters["until"] and filters["since"] > filters["until"]:
        filter_errors["al"] = "«Al»: la data precede quella di «Dal»."
    with rt().sessions() as s:
        plan = plan_detail(s, key)
        events, next_after = ([], None) if filter_errors else history_page(rt().app, s, key, me, limit=PAGE, **filters)
        base = visible(select(HistoryRow).where(HistoryRow.plan_key == key), me, key).subquery()
        first, head = s.execute(select(func.min(base.c.position), func.max(base.c.position))).one()
        actors = people_names(s, s.scalars(select(base.c.actor).distinct()).all())
    replay = _replay(key, first, head)
    exports = {"objective": filters["objective"], "tavolo": filters["tavolo"], "actor": filters["actor"],
               "since": filters["since"] and filters["since"].isoformat(),
               "until": filters["until"] and filters["until"].isoformat()}
    return render_template("history.html", plan=plan, events=events, next_after=next_after, filters=args,
                           filter_errors=filter_errors,
                           exports={name: value for name, value in exports.items() if value},
                           actors=sorted(actors.items(), key=lambda kv: kv[1] or ""), first=first, head=head,
                           replay=replay, compare=_compare(key, head, plan), verification=_verification())


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
    """The plan at the viewer's event at or before `momento`: the replay moves among the events the
    viewer may see (server.queries.history.visible), so the number, the event and the steps agree."""
    if first is None:
        return None
    at = _int(request.args.get("momento"))
    at = head if at is None else max(first, min(at, head))
    me = viewer()
    with rt().sessions() as s:
        def seen(columns):
            return visible(select(columns).where(HistoryRow.plan_key == key), me, key)

        event = s.scalars(seen(HistoryRow).where(HistoryRow.position <= at)
                          .order_by(HistoryRow.position.desc()).limit(1)).first()
        at = event.position  # `first` is a visible event: there is always one at or before `at`
        with_events(rt().app, [event])  # its summary is shown
        prev = s.scalars(seen(HistoryRow.position).where(HistoryRow.position < at)
                         .order_by(HistoryRow.position.desc()).limit(1)).first()
        nxt = s.scalars(seen(HistoryRow.position).where(HistoryRow.position > at)
                        .order_by(HistoryRow.position).limit(1)).first()
        actor = people_names(s, [event.actor]).get(event.actor) if event.actor else None
        state = audit.plan_state_at(s, key, at)
    return {"at": at, "first": first, "head": head, "prev": prev, "next": nxt, "event": event, "actor": actor,
            "state": state, "focus": request.args.get("obiettivo") or event.objective_ref}


def _compare(key: str, head: int | None, plan: dict) -> dict | None:
    start, end = request.args.get("da"), request.args.get("a")
    if not start:
        return None
    start_at, end_at = _moment(start), _moment(end) if end else head
    errors = {}
    if start_at is None:
        errors["da"] = f"«Da»: {BAD_MOMENT}"
    if end_at is None:
        errors["a"] = f"«A»: {BAD_MOMENT}"
    result = None
    if not errors:
        with rt().sessions() as s:
            try:
                result = readable_diff(s, plan, audit.plan_diff(s, key, start_at, end_at))
            except Invalid as refused:  # a position not yet recorded, a day out of range: said by the form
                fields = {"from": ("da", "Da"), "to": ("a", "A")}
                errors = {fields[name][0]: f"«{fields[name][1]}»: {message}"
                          for name, message in refused.details.items() if name in fields}
                errors = errors or {"da": refused.message}
    return {"from": start, "to": end or head, "result": result, "errors": errors}


def _verification() -> dict | None:
    """The chain recomputed; with «Posizione» and «Testa pubblicata», also a head noted earlier."""
    if not request.args.get("verifica"):
        return None
    position, head = (request.args.get("posizione") or "").strip(), (request.args.get("testa") or "").strip()
    published = None
    if position or head:
        if not position.isdigit() or not head:
            return {"error": "Per controllare una testa pubblicata indicare la posizione (un numero) e la testa "
                             "(64 cifre esadecimali).", "position": position, "head": head}
        published = (int(position), head)
    try:
        return {"result": audit.verify_chain(rt(), viewer(), published), "position": position, "head": head}
    except (Forbidden, Invalid) as refused:
        details = " ".join(str(message) for message in refused.details.values())
        return {"error": f"{refused.message}. {details}".strip(), "position": position, "head": head}


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
