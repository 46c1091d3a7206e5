"""Organisations: ETS, municipalities, health agencies, unions..."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import auth
from server.api.common import done, runtime
from server.validation.fields import Key, Text
from server.events.organisation import KINDS
from server.queries.people import list_organisations

blp = Blueprint("organisations", __name__, url_prefix="/api/v1/organisations", description="Organizzazioni")


class OrganisationIn(Schema):
    key = Key(required=True)
    name = Text(required=True, validate=validate.Length(max=300))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


class OrganisationOut(Schema):
    key = fields.String()
    name = fields.String()
    kind = fields.String()


class OrganisationUpdate(Schema):
    name = Text(required=True, validate=validate.Length(max=300))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


OrganisationWritten = Schema.from_dict({"key": fields.String(), "position": fields.Integer()}, name="OrganisationWritten")


@blp.route("")
class Organisations(MethodView):
    @blp.response(200, OrganisationOut(many=True))
    def get(self):
        """Elenco pubblico delle organizzazioni."""
        with runtime().sessions() as session:
            return list_organisations(session)

    @blp.arguments(OrganisationIn)
    @blp.response(201, OrganisationWritten)
    def post(self, data):
        """Registra un'organizzazione (solo amministratori)."""
        position = runtime().app.register_organisation(data["key"], data["name"], data["kind"], auth.actor())
        return done(position, key=data["key"])


@blp.route("/<key>", methods=["PUT"])
@blp.arguments(OrganisationUpdate)
@blp.response(200, OrganisationWritten)
def update(data, key):
    """Aggiorna nome e tipo di un'organizzazione (solo amministratori)."""
    return done(runtime().app.update_organisation(key, data["name"], data["kind"], auth.actor()), key=key)
