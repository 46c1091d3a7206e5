"""Amministrazione (Ufficio di Piano): plans — status, approval with the act, import and export."""
from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, url_for

from server import auth
from server.api.lifecycle import BODIES
from server.api.planio import import_problems
from server.planformat import PlanFormatError, load_document
from server.queries.people import list_organisations
from server.queries.plans import list_plans, plan_detail
from server.ui import bp
from server.ui.common import attempt, login_required, require, rt, viewer, wait

BODY_LABELS = {"assemblea_dei_sindaci": "Assemblea dei Sindaci", "consiglio_di_rappresentanza":
               "Consiglio di rappresentanza dei Sindaci", "ufficio_di_piano": "Ufficio di Piano", "altro": "Altro organo"}
MOVES = {"drafting": ["co_programming"], "co_programming": ["validation"], "validation": ["co_programming"],
         "approved": ["in_force"], "in_force": []}
MOVE_LABELS = {"co_programming": "Apri la co-programmazione", "validation": "Porta in validazione",
               "in_force": "Dichiara in vigore"}


def admin_only() -> None:
    me = viewer()
    require(me is not None and me.is_admin, "Pagina riservata all'Ufficio di Piano (amministratori)")


@bp.get("/amministrazione")
@login_required
def admin(errors=None, status=200):
    admin_only()
    from server.ui.admin_people import people_overview

    with rt().sessions() as s:
        plans = [plan_detail(s, p["key"]) for p in list_plans(s)]
        organisations = list_organisations(s)
    return render_template("admin.html", plans=plans, organisations=organisations, people=people_overview(),
                           bodies=BODY_LABELS, moves=MOVES, move_labels=MOVE_LABELS, errors=errors or {},
                           form=request.form), status


def done_or_errors(position, error, message: str, anchor: str, field_prefix: str = ""):
    if error is None:
        wait(position)
        flash(message)
        return redirect(url_for("ui.admin") + f"#{anchor}")
    details = {f"{field_prefix}{k}": v for k, v in error.details.items() if isinstance(v, str)}
    return admin(errors={"_" + anchor: error.message, **details}, status=error.status)


@bp.post("/amministrazione/piani/<key>/stato")
@login_required
def plan_status(key):
    admin_only()
    position, error = attempt(rt().app.set_plan_status, key, request.form.get("status", ""), auth.actor())
    return done_or_errors(position, error, "Stato del piano aggiornato.", f"piano-{key}")


@bp.post("/amministrazione/piani/<key>/approvazione")
@login_required
def plan_approval(key):
    admin_only()
    body, act, date = (request.form.get(k, "").strip() for k in ("body", "act", "date"))
    errors = {}
    if body not in BODIES:
        errors[f"{key}.body"] = "Scegliere l'organo che ha approvato."
    if not act:
        errors[f"{key}.act"] = "Indicare l'atto, ad esempio «Delibera n. 12 del 14/03/2025»."
    if len(date) != 10:
        errors[f"{key}.date"] = "Indicare la data dell'atto."
    if errors:
        return admin(errors=errors, status=422)
    position, error = attempt(rt().app.approve_plan, key, body, act, date, auth.actor())
    return done_or_errors(position, error, "Approvazione del piano registrata.", f"piano-{key}", f"{key}.")


@bp.post("/amministrazione/piani/importa")
@login_required
def plan_import():
    admin_only()
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        return admin(errors={"document": "Scegliere un file JSON nel formato coprogramma/plan@1."}, status=422)
    raw = upload.read()
    try:
        document = load_document(raw)
    except PlanFormatError as error:
        problems = import_problems(error).details
        listing = "; ".join(f"{path}: {message}" for path, message in list(problems.items())[:10])
        return admin(errors={"document": f"Documento non valido, nulla è stato importato. {listing}"}, status=422)
    position, error = attempt(rt().app.import_plan, document, upload.filename, hashlib.sha256(raw).hexdigest(),
                              auth.actor())
    if error is not None:
        return admin(errors={"document": error.message}, status=error.status)
    wait(position)
    flash(f"Piano «{document.plan['key']}» importato.")
    return redirect(url_for("ui.plan", key=document.plan["key"]))
