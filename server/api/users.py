"""People: accounts, global roles, invitations, role history."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server import auth
from server.api.auth import send_link, user_json
from server.api.common import done, runtime
from server.validation.fields import Key, Text
from server.events.account import GLOBAL_ROLES
from server.events.errors import Forbidden, Invalid, NotFound
from server.events.tavolo import TAVOLO_ROLES
from server.people import Person
from server.projections.directory import UserRow
from server.projections.roles import RoleChangeRow
from server.queries.people import user_card

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Persone, ruoli e inviti")


class UserIn(Schema):
    email = fields.Email(required=True)
    name = Text(required=True, validate=validate.Length(max=200))
    password = fields.String(required=True)
    organisation = Key(load_default=None)
    role = fields.String(load_default=None, validate=validate.OneOf(GLOBAL_ROLES))


class RoleIn(Schema):
    role = fields.String(required=True, validate=validate.OneOf(GLOBAL_ROLES))


class InvitationIn(Schema):
    email = fields.Email(required=True)
    name = Text(required=True, validate=validate.Length(max=200))
    organisation = Key(load_default=None)
    plan = Key(load_default=None)
    tavolo = Key(load_default=None)
    role = fields.String(load_default="member", validate=validate.OneOf(TAVOLO_ROLES))


class AcceptIn(Schema):
    token = Text(required=True)
    password = fields.String(required=True)


Written = Schema.from_dict({"id": fields.String(), "position": fields.Integer()}, name="Written")


@blp.route("/users")
class Users(MethodView):
    def get(self):
        """Elenco delle persone registrate (nomi solo per chi ha effettuato l'accesso)."""
        viewer = auth.require_login()
        with runtime().sessions() as session:
            users = session.scalars(select(UserRow).order_by(UserRow.registered_position)).all()
            people = {p.user_id: p for p in session.scalars(select(Person))}
        return [user_card(people.get(u.id), u, viewer) for u in users]

    @blp.arguments(UserIn)
    @blp.response(201, Written)
    def post(self, data):
        """Crea un account con password (solo amministratori)."""
        user_id, position = auth.directory().create_user(
            data["email"], data["name"], data["password"], auth.actor(),
            organisation=data["organisation"], role=data["role"])
        return {"id": user_id, "position": position}


@blp.route("/users/me", methods=["GET"])
def me():
    """La persona che sta usando l'API, con i suoi ruoli."""
    return user_json(auth.require_login())


@blp.route("/users/<user_id>", methods=["GET"])
def user(user_id):
    viewer = auth.require_login()
    with runtime().sessions() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise NotFound("Utente sconosciuto", {"user_id": user_id})
        return user_card(session.get(Person, user_id), row, viewer)


@blp.route("/users/<user_id>/roles", methods=["POST"])
@blp.arguments(RoleIn)
@blp.response(200, Written)
def grant_role(data, user_id):
    """Conferisce un ruolo globale (admin, auditor): è un evento registrato."""
    return done(runtime().app.grant_role(user_id, data["role"], auth.actor()), id=user_id)


@blp.route("/users/<user_id>/roles/<role>", methods=["DELETE"])
@blp.response(200, Written)
def revoke_role(user_id, role):
    """Revoca un ruolo globale: è un evento registrato."""
    return done(runtime().app.revoke_role(user_id, role, auth.actor()), id=user_id)


@blp.route("/users/<user_id>/erasure", methods=["POST"])
@blp.response(200, Written)
def erase(user_id):
    """Cancella nome, e-mail e password di una persona (GDPR art. 17; solo amministratori). Quello
    che ha fatto resta nella storia con il suo identificativo, come «persona cancellata»."""
    return done(auth.directory().erase(user_id, auth.actor()), id=user_id)


@blp.route("/roles/history", methods=["GET"])
def role_history():
    """Chi ha potuto fare cosa, e da quando: ogni conferimento e revoca (revisori e amministratori)."""
    viewer = auth.require_login()
    if not (viewer.is_admin or viewer.is_auditor):
        raise Forbidden("Riservato a revisori e amministratori")
    with runtime().sessions() as session:
        rows = session.scalars(select(RoleChangeRow).order_by(RoleChangeRow.position))
        return [{"position": r.position, "at": r.at.isoformat(), "user_id": r.user_id, "role": r.role,
                 "change": r.change, "plan": r.plan_key, "tavolo": r.tavolo_key, "actor": r.actor} for r in rows]


@blp.route("/invitations", methods=["POST"])
@blp.arguments(InvitationIn)
@blp.response(201, Written)
def invite(data):
    """Invita una persona per e-mail (amministratori; coordinatori per il proprio tavolo)."""
    actor = auth.actor()
    if data["tavolo"] and not data["plan"]:
        raise Invalid("Dati non validi", {"plan": "Indicare il piano del tavolo."})
    if not data["tavolo"]:
        runtime().app.require_admin(actor)
    user_id, position, token = auth.directory().invite(
        data["email"], data["name"], actor, data["organisation"], data["plan"], data["tavolo"], data["role"])
    send_link(data["email"], "Invito alla co-programmazione", token,
              f"{data['name']}, è stata invitata/o a partecipare a Coprogramma. "
              "Per scegliere la password e accedere apra questo collegamento (valido 14 giorni):")
    return done(position, id=user_id)


@blp.route("/invitations/accept", methods=["POST"])
@blp.arguments(AcceptIn)
@blp.response(200, Schema.from_dict({"user_id": fields.String()}, name="InvitationAccepted"))
def accept(data):
    """Accetta un invito scegliendo la password."""
    return {"user_id": auth.directory().use_link(data["token"], data["password"])}
