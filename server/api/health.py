"""Liveness and how far the read models are behind the event log."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.api.common import runtime

blp = Blueprint("health", __name__, url_prefix="/", description="Stato del servizio")


class StalledOut(Schema):
    position = fields.Integer(allow_none=True, metadata={"description": "posizione a cui le proiezioni sono ferme"})
    since = fields.DateTime()
    error = fields.String(metadata={"description": "l'errore del primo lotto che non passa (tecnico)"})
    message = fields.String()


class HealthOut(Schema):
    ok = fields.Boolean()
    position = fields.Integer()
    projection_position = fields.Integer()
    projections = fields.Dict(keys=fields.String(), values=fields.Integer())
    stalled = fields.Nested(StalledOut, metadata={"description": "solo quando le proiezioni sono ferme (503)"})


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut, description="Le proiezioni di questo processo sono ferme")
def healthz():
    """Posizione dell'ultimo evento e posizione raggiunta dalle proiezioni; 503 se non avanzano più."""
    rt = runtime()
    projections = rt.projector.positions()
    health = {"ok": True, "position": rt.event_position(),
              "projection_position": min(projections.values(), default=0), "projections": projections}
    stalled = rt.projector.stalled
    if stalled is None:
        return health
    return {**health, "ok": False, "stalled": {
        "position": stalled.position, "since": stalled.since, "error": stalled.error,
        "message": "L'aggiornamento dei dati è fermo: le modifiche sono rifiutate finché non riparte "
                   "(controllare il registro con «coprogramma audit verify»)."}}, 503
