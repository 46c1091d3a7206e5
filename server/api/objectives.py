"""Objectives: read (now or at a past moment, see the audit issue), create, edit, rename, status."""
from __future__ import annotations

from uuid import uuid4

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from server import auth
from server.api.audit import MomentQuery, moment
from server.api.common import done, runtime
from server.validation.fields import Text
from server.api.payloads import ObjectiveChanges
from server.events.objective import STATUSES
from server.queries.objectives import get_objective_row, list_objectives, objective_detail
from server.replay.compare import objective_at

blp = Blueprint("objectives", __name__, url_prefix="/api/v1/plans/<key>/objectives", description="Obiettivi")

REF = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", error="Riferimento non valido (lettere, cifre, . _ -).")


class ObjectiveIn(Schema):
    ref = Text(required=True, validate=REF)
    macro_area = Text(required=True)
    tavolo = Text(load_default=None)
    fields = ObjectiveChanges(partial=False, required=True)


class EditIn(Schema):
    base_version = fields.Integer(required=True, validate=validate.Range(min=1))
    changes = ObjectiveChanges(required=True)


class RenameIn(Schema):
    ref = Text(required=True, validate=REF)


class ObjectiveStatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf([s for s in STATUSES if s != "approved"]))
    reason = Text(load_default=None)


Created = Schema.from_dict({"ref": fields.String(), "version": fields.Integer(), "position": fields.Integer()},
                           name="ObjectiveWritten")


@blp.route("", methods=["GET"])
def objectives(key):
    """Gli obiettivi del piano, con stato, totale di bilancio e completezza."""
    with runtime().sessions() as session:
        return list_objectives(session, key)


@blp.route("", methods=["POST"])
@blp.arguments(ObjectiveIn)
@blp.response(201, Created)
def create(data, key):
    """Crea un obiettivo (amministratori, coordinatori del tavolo)."""
    position = runtime().app.create_objective(key, uuid4(), data["ref"], data["macro_area"], data["tavolo"],
                                              data["fields"], auth.actor())
    return done(position, ref=data["ref"], version=1)


@blp.route("/<ref>", methods=["GET"])
@blp.arguments(MomentQuery, location="query", unknown=RAISE)
def objective(query, key, ref):
    """La scheda dell'obiettivo con tutti i campi del modello regionale; con `at` (posizione) o
    `as_of` (istante) com'era in quel momento."""
    if query["at"] is None and query["as_of"] is None:
        with runtime().sessions() as session:
            return objective_detail(get_objective_row(session, key, ref))
    with runtime().sessions() as session:
        return objective_at(runtime(), session, key, ref, moment(query))


@blp.route("/<ref>", methods=["PATCH"])
@blp.arguments(EditIn)
@blp.response(200, Created)
def edit(data, key, ref):
    """Modifica diretta di un coordinatore (registrata e attribuita come ogni altra)."""
    position = runtime().app.edit_objective(key, ref, data["base_version"], data["changes"], auth.actor())
    return _written(key, ref, position)


@blp.route("/<ref>/rename", methods=["POST"])
@blp.arguments(RenameIn)
@blp.response(200, Created)
def rename(data, key, ref):
    """Cambia il riferimento («B.1» → «B.2»): l'identità dell'obiettivo resta la stessa."""
    position = runtime().app.rename_objective(key, ref, data["ref"], auth.actor())
    return _written(key, data["ref"], position)


@blp.route("/<ref>/status", methods=["POST"])
@blp.arguments(ObjectiveStatusIn)
@blp.response(200, Created)
def status(data, key, ref):
    """Porta l'obiettivo in discussione, concordato, validato (Ufficio di Piano) o ritirato."""
    position = runtime().app.set_objective_status(key, ref, data["status"], auth.actor(), data["reason"])
    return _written(key, ref, position)


def _written(key: str, ref: str, position: int) -> dict:
    payload = done(position, ref=ref)
    with runtime().sessions() as session:
        payload["version"] = get_objective_row(session, key, ref).version
    return payload
