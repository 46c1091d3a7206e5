"""Bearer tokens for API clients; password reset and invitation acceptance."""
from __future__ import annotations

from flask import abort, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from server import auth
from server.validation.fields import Text
from server.ratelimit import throttled

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Autenticazione")


class Credentials(Schema):
    email = Text(required=True, metadata={"example": "anna@example.org"})
    password = fields.String(required=True)


class UserOut(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    tavoli = fields.List(fields.Dict())


class TokenOut(Schema):
    token = fields.String()
    user = fields.Nested(UserOut)


class EmailIn(Schema):
    email = Text(required=True)


class LinkIn(Schema):
    token = Text(required=True)
    password = fields.String(required=True)


def user_json(principal) -> dict:
    return {"id": principal.id, "email": principal.email, "name": principal.name,
            "organisation": principal.organisation, "roles": principal.roles,
            "tavoli": [{"plan": p, "tavolo": t, "role": r} for (p, t), r in sorted(principal.tavoli.items())]}


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(Credentials)
    @blp.response(200, TokenOut)
    @blp.alt_response(401, description="Credenziali non valide")
    @blp.alt_response(429, description="Troppi tentativi: riprovare più tardi")
    @throttled
    def post(self, credentials):
        """Scambia e-mail e password con un token bearer."""
        directory = auth.directory()
        principal = directory.authenticate(credentials["email"], credentials["password"])
        if principal is None:
            abort(401, description="Credenziali non valide")
        return {"token": directory.issue_token(principal.id), "user": user_json(principal)}

    @blp.response(200, Schema.from_dict({"ok": fields.Boolean()}, name="TokenRevoked"))
    def delete(self):
        """Revoca il token bearer usato in questa richiesta."""
        auth.require_login()
        token = auth.bearer_token()
        if token is None:
            abort(400, description="Nessun token bearer da revocare")
        auth.directory().revoke_token(token)
        return {"ok": True}


@blp.route("/password-reset", methods=["POST"])
@blp.arguments(EmailIn)
@blp.response(202, Schema.from_dict({"ok": fields.Boolean()}, name="ResetRequested"))
@throttled
def password_reset(data):
    """Invia (nella casella di uscita) un collegamento per reimpostare la password."""
    found = auth.directory().request_password_reset(data["email"])
    if found is not None:
        email, token = found
        send_link(email, "Reimpostazione della password", token,
                  "Per scegliere una nuova password apra questo collegamento (valido 24 ore):")
    return {"ok": True}  # the same answer whether or not the address exists


@blp.route("/password-reset/confirm", methods=["POST"])
@blp.arguments(LinkIn)
@blp.response(200, Schema.from_dict({"user_id": fields.String()}, name="PasswordSet"))
def password_reset_confirm(data):
    """Imposta una nuova password con il collegamento ricevuto."""
    return {"user_id": auth.directory().use_link(data["token"], data["password"])}


def send_link(email: str, subject: str, token: str, intro: str) -> None:
    from flask import url_for

    # With COPROGRAMMA_PUBLIC_URL set, links never follow the request's Host header: a forged Host
    # on a password-reset request would otherwise mail the victim a valid token on someone else's site.
    public_url = current_app.extensions["coprogramma"].settings.public_url
    if public_url:
        link = public_url.rstrip("/") + url_for("ui.set_password", token=token)
    else:
        link = url_for("ui.set_password", token=token, _external=True)
    current_app.extensions["coprogramma.outbox"].send(email, f"Coprogramma – {subject}", f"{intro}\n\n{link}\n")
