"""Import and export of whole plans in the `coprogramma/plan@1` format."""
from __future__ import annotations

import hashlib

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server import auth
from server.api.common import done, runtime
from server.events.errors import Invalid
from server.planexport import export_plan
from server.planformat import PlanFormatError, dumps, load_document

blp = Blueprint("planio", __name__, url_prefix="/api/v1/plans", description="Importazione ed esportazione")


def import_problems(error: PlanFormatError) -> Invalid:
    return Invalid("Documento non valido: nessuna parte del piano è stata importata",
                   {p["path"]: p["message"] for p in error.problems})


@blp.route("/import", methods=["POST"])
@blp.response(201, Schema.from_dict({"key": fields.String(), "position": fields.Integer()}, name="PlanImported"))
def import_plan():
    """Importa un documento `coprogramma/plan@1` (solo amministratori). Tutto o niente: un documento
    con problemi è respinto per intero (422) con il percorso JSON di ciascun problema."""
    actor = auth.actor()
    runtime().app.require_admin(actor)
    raw = request.get_data(cache=False)
    try:
        document = load_document(raw)
    except PlanFormatError as error:
        raise import_problems(error) from None
    file_name = request.args.get("filename") or request.headers.get("X-Filename") or "caricamento-api.json"
    position = runtime().app.import_plan(document, file_name, hashlib.sha256(raw).hexdigest(), actor)
    return done(position, key=document.plan["key"])


@blp.route("/<key>/export", methods=["GET"])
def export(key):
    """Il piano come documento `coprogramma/plan@1` (reimportabile in un'istanza vuota)."""
    with runtime().sessions() as session:
        document = export_plan(session, key)
    return Response(dumps(document), mimetype="application/json",
                    headers={"Content-Disposition": f'inline; filename="{key}.json"'})
