"""Scheda obiettivo: the card with every official label, "Chi l'ha scritto?", "Proponi modifica"."""
from __future__ import annotations

from uuid import UUID, uuid4

from flask import flash, redirect, render_template, request, url_for

from server import auth
from server.planformat import validate_objective_fields
from server.planformat.schema import OBJECTIVE_FIELDS
from server.queries import get_plan_row
from server.queries_objectives import get_objective_row, list_proposals, may_see_tavolo, objective_detail
from server.ui import audit_bridge, bp
from server.ui.common import attempt, is_partial, login_required, people_names, rt, viewer, wait
from server.ui.objective_form import changed_fields, problem_key, to_model


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
            provenance = audit_bridge.provenance(key, ref)
        ids = [p["author"] for p in proposals]
        if provenance:
            ids += [v.get(k) for v in provenance.values() for k in ("proposed_by", "decided_by", "actor")]
        names = people_names(s, [i for i in ids if isinstance(i, str)])
    may_propose = bool(me and (me.is_admin or me.role_in(key, detail["tavolo"])))
    return render_template("objective.html", plan=plan, objective=detail, proposals=proposals, names=names,
                           provenance=provenance, provenance_available=audit_bridge.available("provenance"),
                           may_propose=may_propose)


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
        proposal_id = uuid4()
        position, error = attempt(rt().app.propose_amendment, proposal_id, key, ref, base_version, clean,
                                  rationale or None, auth.actor())
        if error is None:
            wait(position)
            flash("Proposta inviata: i coordinatori del tavolo la vedono nella coda di revisione.")
            return redirect(url_for("ui.proposal", proposal_id=str(proposal_id)))
        errors = {problem_key(k): v for k, v in error.details.items() if isinstance(v, str)} or {"_": error.message}
    preview = preview_rows(base_fields, changes)
    template = "partials/preview.html" if is_partial() else "propose.html"
    status = 422 if errors else 200
    return render_template(template, model=model, errors=errors, preview=preview, rationale=rationale,
                           **page), status


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


def preview_rows(base_fields: dict, changes: dict) -> list[dict]:
    return [{"name": name, "before": base_fields.get(name), "after": changes[name]}
            for name in OBJECTIVE_FIELDS if name in changes]


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None
