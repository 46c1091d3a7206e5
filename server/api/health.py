"""Liveness and how far the read models are behind the event log."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server.api.common import runtime

blp = Blueprint("health", __name__, url_prefix="/", description="Stato del servizio")


class HealthOut(Schema):
    ok = fields.Boolean()
    position = fields.Integer()
    projection_position = fields.Integer()
    projections = fields.Dict(keys=fields.String(), values=fields.Integer())


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthOut)
def healthz():
    """Posizione dell'ultimo evento e posizione raggiunta dalle proiezioni."""
    rt = runtime()
    projections = rt.projector.positions()
    return {"ok": True, "position": rt.event_position(),
            "projection_position": min(projections.values(), default=0), "projections": projections}
