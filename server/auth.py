"""Who is asking: bearer tokens for API clients, session cookie + CSRF for browsers."""
from __future__ import annotations

from flask import Flask, abort, current_app, g, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect

from server.directory import Directory, Principal
from server.errors import render_error

csrf = CSRFProtect()
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
NO_CSRF_PATHS = {"/api/v1/auth/token"}  # takes credentials in the body, sets no cookie
# The only API writes open to anonymous callers: they carry their own proof (password, e-mail link).
PUBLIC_API_WRITES = {"/api/v1/auth/token", "/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm",
                     "/api/v1/invitations/accept"}


def directory() -> Directory:
    return current_app.extensions["coprogramma.directory"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _identify() -> None:
    g.principal = None
    g.via_token = False
    token = bearer_token()
    if token is not None:
        g.principal = directory().principal_for_token(token)
        g.via_token = True
        if g.principal is None:
            abort(401, description="Token non valido o scaduto")
        return
    if request.headers.get("Authorization"):
        abort(401, description="Intestazione Authorization non valida: usare «Bearer <token>»")
    user_id = session.get("user_id")
    if user_id:
        g.principal = directory().principal(user_id)
        if g.principal is None:
            session.clear()
    # Browser forms are always protected (also against login CSRF); on the API the check
    # matters only when the session cookie is what authenticates the request.
    is_api = request.path.startswith("/api/")
    if request.method in UNSAFE and request.path not in NO_CSRF_PATHS and (g.principal or not is_api):
        csrf.protect()
    # An anonymous API write is 401 before its body is read: not 422 or 400 for a request
    # that could not have succeeded anyway.
    if (is_api and request.method in UNSAFE and g.principal is None and request.path not in PUBLIC_API_WRITES
            and request.routing_exception is None):  # unknown paths and methods stay 404 / 405
        abort(401, description="Autenticazione richiesta")


def current() -> Principal | None:
    return g.get("principal")


def require_login() -> Principal:
    principal = current()
    if principal is None:
        abort(401, description="Autenticazione richiesta")
    return principal


def actor() -> str:
    return require_login().id


def login_session(principal: Principal) -> None:
    session.clear()
    session.permanent = True
    session["user_id"] = principal.id


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_identify)

    @app.errorhandler(CSRFError)
    def _csrf_failed(_error):
        return render_error(403, "csrf_failed", "Token CSRF mancante o non valido: ricaricare la pagina e riprovare")
