"""Accesso: login, logout, password forgotten, invitation acceptance (choosing a password)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for

from server import auth
from server.api.auth import send_link
from server.events.errors import DomainError
from server.ratelimit import throttled
from server.ui import bp


@bp.route("/accesso", methods=["GET", "POST"])
@throttled
def login():
    error = None
    if request.method == "POST":
        principal = auth.directory().authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if principal is not None:
            auth.login_session(principal)
            flash(f"Benvenuta/o, {principal.name}.")
            return redirect(_safe_next(request.args.get("next")))
        error = "E-mail o password non corretti."
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/esci")
def logout():
    session.clear()
    flash("Sei uscita/o da Coprogramma.")
    return redirect(url_for("ui.home"))


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@throttled
def forgot_password():
    sent = False
    if request.method == "POST":
        found = auth.directory().request_password_reset(request.form.get("email", ""))
        if found is not None:
            send_link(found[0], "Reimpostazione della password", found[1],
                      "Per scegliere una nuova password apra questo collegamento (valido 24 ore):")
        sent = True
    return render_template("forgot_password.html", sent=sent)


@bp.route("/imposta-password/<token>", methods=["GET", "POST"])
def set_password(token):
    directory = auth.directory()
    try:
        link = directory.link(token)
    except DomainError:
        abort(404, description="Il collegamento non è valido, è già stato usato o è scaduto.")
    errors = {}
    if request.method == "POST":
        password, repeat = request.form.get("password", ""), request.form.get("password_repeat", "")
        if password != repeat:
            errors["password_repeat"] = "Le due password non coincidono."
        else:
            try:
                user_id = directory.use_link(token, password)
            except DomainError as error:
                errors = error.details or {"password": error.message}
            else:
                principal = directory.principal(user_id)
                if principal:
                    auth.login_session(principal)
                flash("Password impostata: benvenuta/o in Coprogramma.")
                return redirect(url_for("ui.home"))
    return render_template("set_password.html", purpose=link.purpose, errors=errors), (422 if errors else 200)


def _safe_next(target: str | None) -> str:
    # Only a path on this site; browsers treat a backslash as a slash, so "/" + "\" + "evil.example"
    # would leave the site just like "//evil.example".
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(ch) < 32 for ch in target)):
        return target
    return url_for("ui.home")
