"""The plan's lifecycle: status moves, approval by act, period extension."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import auth
from server.api.common import done, runtime
from server.validation.fields import Text

blp = Blueprint("lifecycle", __name__, url_prefix="/api/v1/plans/<key>", description="Ciclo di vita del piano")

BODIES = ("assemblea_dei_sindaci", "consiglio_di_rappresentanza", "ufficio_di_piano", "altro")


class PlanStatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["co_programming", "validation", "in_force"]))


class ApprovalIn(Schema):
    body = fields.String(required=True, validate=validate.OneOf(BODIES))
    act = Text(required=True, validate=validate.Length(max=300))
    date = fields.Date(required=True)


class ExtensionIn(Schema):
    to = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    act = Text(required=True, validate=validate.Length(max=300))


Moved = Schema.from_dict({"status": fields.String(), "position": fields.Integer()}, name="PlanMoved")


@blp.route("/status", methods=["POST"])
@blp.arguments(PlanStatusIn)
@blp.response(200, Moved)
def move(data, key):
    """drafting → co_programming → validation (e ritorno), approved → in_force (solo amministratori)."""
    return done(runtime().app.set_plan_status(key, data["status"], auth.actor()), status=data["status"])


@blp.route("/approval", methods=["POST"])
@blp.arguments(ApprovalIn)
@blp.response(200, Moved)
def approve(data, key):
    """Registra l'atto di approvazione (es. «Delibera n. 12 del 14/03/2025»): piano e obiettivi approvati."""
    position = runtime().app.approve_plan(key, data["body"], data["act"], data["date"].isoformat(), auth.actor())
    return done(position, status="approved")


@blp.route("/period", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(200, Schema.from_dict({"to": fields.Integer(), "position": fields.Integer()}, name="PeriodExtended"))
def extend(data, key):
    """Proroga il triennio (come fanno i decreti regionali), con l'atto di riferimento."""
    return done(runtime().app.extend_plan_period(key, data["to"], data["act"], auth.actor()), to=data["to"])
