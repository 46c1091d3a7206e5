"""Scheda obiettivo: the card with every official label, "Chi l'ha scritto?", "Proponi modifica"."""
from __future__ import annotations

from uuid import UUID, uuid4

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from server import auth
from server.planformat import validate_objective_fields
from server.planformat.schema import OBJECTIVE_FIELDS
from server.projections.plans import MacroAreaRow
from server.queries.plans import get_plan_row, tavolo_detail
from server.queries.objectives import get_objective_row, objective_detail
from server.queries.proposals import list_proposals
from server.queries.plans import may_see_tavolo
from server import audit
from server.ui import bp
from server.ui.common import attempt, is_partial, login_required, people_names, rt, tavolo_name, viewer, wait
from server.ui.objective_form import changed_fields, problem_key, to_fields, to_model


@bp.get("/piani/<key>/obiettivi/<ref>")
def objective(key, ref):
    me = viewer()
    with rt().sessions() as s:
        plan = get_plan_row(s, key)
        detail = objective_detail(get_objective_row(s, key, ref))
        member = may_see_tavolo(me, key, detail["tavolo"])
        proposals = [p for p in list_proposals(s, key, me) if p["objective_ref"] == ref] if member else []
        provenance = None
        if request.args.get("provenienza") and me is not None:
            provenance = audit.objective_provenance(s, key, ref)["fields"]
        ids = [p["author"] for p in proposals]
        if provenance:
            ids += [v.get(k) for v in provenance.values() for k in ("proposed_by", "decided_by", "actor")]
        names = people_names(s, [i for i in ids if isinstance(i, str)])
        tavolo = tavolo_name(s, key, detail["tavolo"])
    may_propose = bool(me and me.takes_part(key, detail["tavolo"]))
    return render_template("objective.html", plan=plan, objective=detail, proposals=proposals, names=names,
                           provenance=provenance,
                           may_propose=may_propose, tavolo_name=tavolo)


@bp.route("/piani/<key>/obiettivi/<ref>/proponi", methods=["GET", "POST"])
@login_required
def propose(key, ref):
    with rt().sessions() as s:
        plan = get_plan_row(s, key)
        detail = objective_detail(get_objective_row(s, key, ref))
    base_version = _int(request.form.get("base_version")) or detail["version"]
    page = {"plan": plan, "objective": detail, "mode": "propose", "base_version": base_version,
            "action": url_for("ui.propose", key=key, ref=ref)}
    if request.method == "GET":
        return render_template("propose.html", model=to_model(detail["fields"]), **page)
    base_fields = fields_at(detail, base_version)
    changes, model, errors, clean = check_submission(base_fields)
    rationale = request.form.get("rationale", "").strip()
    if not errors and request.form.get("action") == "invia":
        sent, errors = _send(rt().app.propose_amendment, key, ref, base_version, clean, rationale or None)
        if sent:
            return sent
    return form_page(model, errors, preview_rows(base_fields, changes), rationale, page)


@bp.route("/piani/<key>/tavoli/<tavolo>/proponi-obiettivo", methods=["GET", "POST"])
@login_required
def propose_objective(key, tavolo):
    """A new objective for the tavolo: a whole card, in one of the tavolo's macro-areas."""
    with rt().sessions() as s:
        plan = get_plan_row(s, key)
        detail = tavolo_detail(s, key, tavolo, viewer())
        query = select(MacroAreaRow).where(MacroAreaRow.plan_key == key).order_by(MacroAreaRow.ordinal)
        areas = {a.code: a.name for a in s.scalars(query)
                 if not detail["macro_areas"] or a.code in detail["macro_areas"]}  # the tavolo's, if it has any
    macro_area = request.form.get("macro_area") or (next(iter(areas)) if len(areas) == 1 else "")
    page = {"plan": plan, "objective": None, "mode": "new", "tavolo": detail, "macro_areas": areas,
            "macro_area": macro_area, "action": url_for("ui.propose_objective", key=key, tavolo=tavolo)}
    if request.method == "GET":
        return render_template("propose.html", model=to_model({}), **page)
    changes, model, _ = changed_fields({}, request.form)  # against an empty card: what was filled in
    clean, errors = whole_card(model)
    if macro_area not in areas:
        errors["macro_area"] = "Scelga la macro-area del nuovo obiettivo."
    rationale = request.form.get("rationale", "").strip()
    if not errors and request.form.get("action") == "invia":
        sent, errors = _send(rt().app.propose_new_objective, key, tavolo, macro_area, clean, rationale or None)
        if sent:
            return sent
    return form_page(model, errors, preview_rows({}, changes), rationale, page)


def _send(command, *args):
    """Records a new proposal: (a redirect to it, {}) or (None, the errors named like the inputs)."""
    proposal_id = uuid4()
    position, error = attempt(command, proposal_id, *args, auth.actor())
    if error is not None:
        return None, {problem_key(k): v for k, v in error.details.items() if isinstance(v, str)} or {"_": error.message}
    wait(position)
    flash("Proposta inviata: i coordinatori del tavolo la vedono nella coda di revisione.")
    return redirect(url_for("ui.proposal", proposal_id=str(proposal_id))), {}


def form_page(model: dict, errors: dict, preview: list[dict], rationale: str, page: dict):
    """The form again with the preview (only the preview, for the page's JavaScript), 422 with errors."""
    template = "partials/preview.html" if is_partial() else "propose.html"
    return render_template(template, model=model, errors=errors, preview=preview, rationale=rationale,
                           **page), 422 if errors else 200


# -- shared with the revision of a proposal ------------------------------------------------------
def fields_at(detail: dict, version: int) -> dict:
    """The card as it was at `version` (what the form showed when it was opened)."""
    if version == detail["version"]:
        return detail["fields"]
    try:
        return dict(rt().app.repository.get(UUID(detail["id"]), version=version).fields)
    except Exception:  # an unknown version: compare with the current card
        return detail["fields"]


def check_submission(base_fields: dict) -> tuple[dict, dict, dict, dict]:
    """(changes, model, errors, clean) for the submitted form against the card it started from."""
    changes, model, errors = changed_fields(base_fields, request.form)
    clean = {}
    if not errors:
        if not changes:
            errors["_"] = "Nessun campo è stato modificato: cambi almeno un valore prima di inviare."
        else:
            clean, problems = validate_objective_fields(changes)
            errors = {problem_key(p["path"]) or "_": p["message"] for p in problems}
    return changes, model, errors, clean


def whole_card(model: dict) -> tuple[dict, dict]:
    """(card, errors) of a proposed new objective: every filled field of the form, title required."""
    fields, errors = to_fields(model)
    if errors:
        return {}, errors
    clean, problems = validate_objective_fields({k: v for k, v in fields.items() if v is not None}, partial=False)
    errors = {problem_key(p["path"]) or "_": p["message"] for p in problems}
    return {k: v for k, v in clean.items() if v is not None}, errors


def preview_rows(base_fields: dict, changes: dict) -> list[dict]:
    return [{"name": name, "before": base_fields.get(name), "after": changes[name]}
            for name in OBJECTIVE_FIELDS if name in changes]


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
