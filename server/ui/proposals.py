"""Proposta: diff against the base, comments, supports, the author's revision and withdrawal, the
coordinators' decision (with the three values side by side on a conflict); Coda di revisione."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from server import auth
from server.events.errors import Conflict
from server.queries.plans import get_plan_row
from server.queries.objectives import get_objective_row, objective_detail
from server.queries.proposals import get_proposal
from server.ui import bp
from server.ui.common import attempt, login_required, people_names, rt, tavolo_name, viewer, wait
from server.ui.objective_form import to_model
from server.ui.objectives import check_submission, fields_at, form_page, preview_rows, whole_card

DECISION_LABELS = {"approve": "Approva", "reject": "Respingi", "request_changes": "Chiedi modifiche"}
DONE = {"approve": "Proposta approvata: l'obiettivo è stato aggiornato.", "reject": "Proposta respinta.",
        "request_changes": "Richiesta di modifiche inviata all'autore."}


def _load(proposal_id: str):
    me = viewer()
    with rt().sessions() as s:
        proposal = get_proposal(s, proposal_id, me, rt().app)
        plan = get_plan_row(s, proposal["plan"])
        objective = None
        if proposal["objective_ref"]:
            objective = objective_detail(get_objective_row(s, proposal["plan"], proposal["objective_ref"]))
        ids = [proposal["author"], *proposal["supporters"], *(c["author"] for c in proposal["comments"])]
        if proposal["decision"]:
            ids.append(proposal["decision"].get("by"))
        names = people_names(s, ids)
        proposal["tavolo_name"] = tavolo_name(s, proposal["plan"], proposal["tavolo"])
    return me, proposal, plan, objective, names


def _rows(proposal: dict, objective: dict | None) -> list[dict]:
    current = objective["fields"] if objective else {}
    rows = []
    for name, proposed in proposal["changes"].items():
        base = proposal["base_values"].get(name)
        now = current.get(name)
        rows.append({"name": name, "base": base, "current": now, "proposed": proposed,
                     "moved": objective is not None and proposal["status"] in ("open", "changes_requested")
                     and now != base and now != proposed})
    return rows


@bp.get("/proposte/<proposal_id>")
@login_required
def proposal(proposal_id, conflict=None, errors=None, status=200):
    me, proposal, plan, objective, names = _load(proposal_id)
    plan_key, tavolo = proposal["plan"], proposal["tavolo"]
    open_ = proposal["status"] in ("open", "changes_requested")
    flags = {"author": me.id == proposal["author"], "open": open_,
             "participant": me.takes_part(plan_key, tavolo),
             "may_decide": open_ and me.id != proposal["author"] and me.coordinates(plan_key, tavolo),
             "supported": me.id in proposal["supporters"]}
    return render_template("proposal.html", proposal=proposal, plan=plan, objective=objective, names=names,
                           rows=_rows(proposal, objective), flags=flags, conflict=conflict, errors=errors or {},
                           decisions=DECISION_LABELS), status


def _after(proposal_id: str, command, *args, done: str, error_field: str = "_"):
    position, error = attempt(command, *args)
    if error is None:
        wait(position)
        flash(done)
        return redirect(url_for("ui.proposal", proposal_id=proposal_id))
    conflict = error.details.get("fields") if isinstance(error, Conflict) else None
    return proposal(proposal_id, conflict=conflict, errors={error_field: error.message}, status=error.status)


@bp.post("/proposte/<proposal_id>/commenta")
@login_required
def comment(proposal_id):
    text = request.form.get("text", "").strip()
    if not text:
        return proposal(proposal_id, errors={"text": "Scriva il commento prima di inviarlo."}, status=422)
    return _after(proposal_id, lambda: rt().app.comment_proposal(proposal_id, text, auth.actor())[1],
                  done="Commento pubblicato.", error_field="text")


@bp.post("/proposte/<proposal_id>/sostieni")
@login_required
def support(proposal_id):
    return _after(proposal_id, rt().app.support_proposal, proposal_id, auth.actor(), done="Hai sostenuto la proposta.")


@bp.post("/proposte/<proposal_id>/ritira")
@login_required
def withdraw(proposal_id):
    return _after(proposal_id, rt().app.withdraw_proposal, proposal_id, auth.actor(), done="Proposta ritirata.")


@bp.post("/proposte/<proposal_id>/decidi")
@login_required
def decide(proposal_id):
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "").strip() or None
    if decision in ("reject", "request_changes") and not reason:
        return proposal(proposal_id, errors={"reason": "Indichi la motivazione: l'autore la leggerà."}, status=422)
    return _after(proposal_id, lambda: rt().app.decide_proposal(proposal_id, decision, reason, auth.actor())[0],
                  done=DONE.get(decision, "Decisione registrata."), error_field="decision")


@bp.route("/proposte/<proposal_id>/rivedi", methods=["GET", "POST"])
@login_required
def revise(proposal_id):
    """The author revises an amendment against the objective's current version (which also resolves
    a conflict), or the whole card of a proposed new objective."""
    me, proposal_, plan, objective, _ = _load(proposal_id)
    base_version = None if objective is None else int(request.form.get("base_version") or objective["version"])
    page = {"plan": plan, "objective": objective, "mode": "revise", "proposal": proposal_,
            "base_version": base_version, "action": url_for("ui.revise", proposal_id=proposal_id)}
    if request.method == "GET":
        merged = {**(objective["fields"] if objective else {}), **proposal_["changes"]}
        return render_template("propose.html", model=to_model(merged), rationale=proposal_["rationale"] or "", **page)
    base_fields = proposal_["changes"] if objective is None else fields_at(objective, base_version)
    changes, model, errors, clean = check_submission(base_fields)
    if not errors and objective is None:
        clean, errors = whole_card(model)
    rationale = request.form.get("rationale", "").strip()
    if not errors and request.form.get("action") == "invia":
        position, error = attempt(rt().app.revise_proposal, proposal_id, base_version, clean, rationale or None,
                                  auth.actor())
        if error is None:
            wait(position)
            flash("Proposta rivista: torna aperta per la decisione.")
            return redirect(url_for("ui.proposal", proposal_id=proposal_id))
        errors = {"_": error.message}
    return form_page(model, errors, preview_rows(base_fields, changes), rationale, page)


@bp.get("/revisione")
@login_required
def queue():
    """Open proposals of the tavoli the person coordinates (all, for the Ufficio di Piano), oldest first."""
    from server.ui.queue import review_queue

    me = viewer()
    waiting, with_author = review_queue(me)
    subscriptions = [{"plan": p, "tavolo": t} for (p, t), role in sorted(me.tavoli.items()) if role == "coordinator"]
    if me.is_admin:
        from server.queries.plans import list_plans
        with rt().sessions() as s:
            subscriptions = [{"plan": p["key"], "tavolo": None} for p in list_plans(s)]
    return render_template("queue.html", waiting=waiting, with_author=with_author, subscriptions=subscriptions)
