"""Plans, macro-areas, tavoli and their members."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server import auth
from server.api.common import done, runtime
from server.validation.fields import Key, Text
from server.events.tavolo import TAVOLO_ROLES
from server.queries.plans import list_plans, plan_detail, tavolo_detail

blp = Blueprint("plans", __name__, url_prefix="/api/v1/plans", description="Piani, macro-aree e tavoli")


class PeriodIn(Schema):
    from_ = fields.Integer(required=True, data_key="from", validate=validate.Range(min=2000, max=2100))
    to = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    @validates_schema
    def _ordered(self, data, **_):
        if data["to"] < data["from_"]:
            raise ValidationError("L'anno finale precede quello iniziale.", "to")


class PlanIn(Schema):
    key = Key(required=True)
    title = Text(required=True, validate=validate.Length(max=500))
    ambito = Text(required=True, validate=validate.Length(max=300))
    period = fields.Nested(PeriodIn, required=True)
    lead_body = Text(load_default=None, validate=validate.Length(max=300))
    managing_agency = Text(load_default=None, validate=validate.Length(max=300))
    municipalities = fields.List(Text(), load_default=list)
    sub_areas = fields.List(Text(), load_default=list)


class PlanOut(Schema):
    key = fields.String()
    title = fields.String()
    ambito = fields.String()
    period = fields.Dict()
    status = fields.String()


class MacroAreaIn(Schema):
    code = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
                                                        error="Codice non valido (lettere, cifre, trattini; max 32)."))
    name = Text(required=True, validate=validate.Length(max=500))
    key_points = fields.List(Text(), load_default=list)


class TavoloIn(Schema):
    key = Key(required=True)
    name = Text(required=True, validate=validate.Length(max=300))
    macro_areas = fields.List(Text(), load_default=list)
    mandate = Text(load_default=None)
    organisations = fields.List(Key(), load_default=list)


class MemberIn(Schema):
    user_id = fields.UUID(required=True)
    role = fields.String(load_default="member", validate=validate.OneOf(TAVOLO_ROLES))


class TavoloSummaryOut(Schema):
    key = fields.String()
    name = fields.String()
    macro_areas = fields.List(fields.String())
    mandate = fields.String(allow_none=True)
    organisations = fields.List(fields.String())
    coordinators = fields.List(fields.String(), metadata={"description": "Id delle persone"})
    members = fields.List(fields.String(), metadata={"description": "Id delle persone"})


class TavoloOut(TavoloSummaryOut):
    plan = fields.String()
    people = fields.List(fields.Dict(), metadata={"description": "Nomi e ruoli: solo per chi ha effettuato l'accesso"})


class PlanDetailOut(PlanOut):
    macro_areas = fields.List(fields.Dict())
    tavoli = fields.List(fields.Nested(TavoloSummaryOut))
    objectives = fields.List(fields.Dict())


Written = Schema.from_dict({"key": fields.String(), "position": fields.Integer()}, name="PlanWritten")
Position = Schema.from_dict({"position": fields.Integer()}, name="Position")


@blp.route("")
class Plans(MethodView):
    @blp.response(200, PlanOut(many=True))
    def get(self):
        """Elenco pubblico dei piani."""
        with runtime().sessions() as session:
            return list_plans(session)

    @blp.arguments(PlanIn)
    @blp.response(201, Written)
    def post(self, data):
        """Crea un piano vuoto in stato «drafting» (solo amministratori)."""
        period = data.pop("period")
        position = runtime().app.create_plan(
            period_from=period["from_"], period_to=period["to"], actor=auth.actor(), **data)
        return done(position, key=data["key"])


@blp.route("/<key>", methods=["GET"])
@blp.alt_response(200, schema=PlanDetailOut, success=True, description="Il piano")  # documents; no filtering
def plan(key):
    """Il piano con macro-aree, tavoli e obiettivi."""
    with runtime().sessions() as session:
        return plan_detail(session, key)


@blp.route("/<key>/macro-areas", methods=["POST"])
@blp.arguments(MacroAreaIn)
@blp.response(201, Position)
def add_macro_area(data, key):
    """Aggiunge una macro-area al piano (solo amministratori)."""
    return done(runtime().app.add_macro_area(key, data["code"], data["name"], data["key_points"], auth.actor()))


@blp.route("/<key>/tavoli", methods=["POST"])
@blp.arguments(TavoloIn)
@blp.response(201, Written)
def create_tavolo(data, key):
    """Istituisce un tavolo tematico con il suo mandato (solo amministratori)."""
    position = runtime().app.create_tavolo(key, actor=auth.actor(), **data)
    return done(position, key=data["key"])


@blp.route("/<key>/tavoli/<tavolo>", methods=["GET"])
@blp.alt_response(200, schema=TavoloOut, success=True, description="Il tavolo")
def tavolo(key, tavolo):
    """Un tavolo: mandato, organizzazioni, coordinatori e membri."""
    with runtime().sessions() as session:
        return tavolo_detail(session, key, tavolo, auth.current())


@blp.route("/<key>/tavoli/<tavolo>/members", methods=["POST"])
@blp.arguments(MemberIn)
@blp.response(200, Position)
def add_member(data, key, tavolo):
    """Aggiunge una persona al tavolo come membro o coordinatore (amministratori, coordinatori del tavolo)."""
    position = runtime().app.set_tavolo_member(key, tavolo, str(data["user_id"]), data["role"], auth.actor())
    return done(position)


@blp.route("/<key>/tavoli/<tavolo>/members/<user_id>", methods=["DELETE"])
@blp.response(200, Position)
def remove_member(key, tavolo, user_id):
    """Toglie una persona dal tavolo (amministratori, coordinatori del tavolo)."""
    return done(runtime().app.remove_tavolo_member(key, tavolo, user_id, auth.actor()))
