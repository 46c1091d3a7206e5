"""Amministrazione: people and their global roles, organisations, invitations, roles per tavolo."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from sqlalchemy import select

from server import auth
from server.api.auth import send_link
from server.events.errors import DomainError
from server.events.organisation import KINDS
from server.people import Person
from server.projections.directory import UserRow
from server.projections.plans import TavoloMemberRow, TavoloRow
from server.ui import bp
from server.ui.admin import admin, admin_only, done_or_errors
from server.ui.common import attempt, login_required, rt, wait


def people_overview() -> list[dict]:
    with rt().sessions() as s:
        users = s.scalars(select(UserRow).order_by(UserRow.registered_position)).all()
        people = {p.user_id: p for p in s.scalars(select(Person))}
        seats: dict[str, list] = {}
        for seat in s.scalars(select(TavoloMemberRow).order_by(TavoloMemberRow.plan_key, TavoloMemberRow.tavolo_key)):
            seats.setdefault(seat.user_id, []).append(seat)
        names = {(t.plan_key, t.key): t.name for t in s.scalars(select(TavoloRow))}
    return [{"id": u.id, "name": people[u.id].name if u.id in people else None,
             "email": people[u.id].email if u.id in people else None, "organisation": u.organisation,
             "active": u.active, "roles": list(u.roles),
             "erased": u.id not in people or people[u.id].erased_at is not None,
             "seats": [{"plan": t.plan_key, "tavolo": t.tavolo_key, "tavolo_name": names.get((t.plan_key, t.tavolo_key)),
                        "role": t.role} for t in seats.get(u.id, [])]}
            for u in users]


@bp.post("/amministrazione/persone/<user_id>/ruoli")
@login_required
def person_role(user_id):
    admin_only()
    role, grant = request.form.get("role", ""), request.form.get("change") == "grant"
    command = rt().app.grant_role if grant else rt().app.revoke_role
    position, error = attempt(command, user_id, role, auth.actor())
    return done_or_errors(position, error, "Ruolo conferito." if grant else "Ruolo revocato.", f"persona-{user_id}")


@bp.post("/amministrazione/persone/<user_id>/cancellazione")
@login_required
def person_erase(user_id):
    """GDPR art. 17: name, e-mail and password go; what the person did stays, pseudonymous."""
    admin_only()
    if request.form.get("confirm") != "si":
        return admin(errors={f"_persona-{user_id}": "Spunti la conferma: la cancellazione non si può annullare."},
                     status=422)
    position, error = attempt(auth.directory().erase, user_id, auth.actor())
    return done_or_errors(position, error, "Dati personali cancellati: nella storia la persona resta "
                          "come «persona cancellata».", f"persona-{user_id}")


@bp.post("/amministrazione/organizzazioni")
@login_required
def organisation_create():
    admin_only()
    key, name, kind = (request.form.get(k, "").strip() for k in ("key", "name", "kind"))
    errors = {}
    if not key:
        errors["org.key"] = "Indicare un codice, ad esempio «caritas-cremona»."
    if not name:
        errors["org.name"] = "Indicare la denominazione."
    if kind not in KINDS:
        errors["org.kind"] = "Scegliere la tipologia."
    if errors:
        return admin(errors=errors, status=422)
    position, error = attempt(rt().app.register_organisation, key, name, kind, auth.actor())
    return done_or_errors(position, error, f"Organizzazione «{name}» registrata.", "organizzazioni", "org.")


@bp.post("/amministrazione/inviti")
@login_required
def invitation():
    admin_only()
    form = {k: request.form.get(k, "").strip() or None for k in ("email", "name", "organisation", "seat", "role")}
    errors = {}
    if not form["email"] or "@" not in form["email"]:
        errors["invite.email"] = "Indicare un indirizzo e-mail valido."
    if not form["name"]:
        errors["invite.name"] = "Indicare nome e cognome."
    if errors:
        return admin(errors=errors, status=422)
    plan, _, tavolo = (form["seat"] or "").partition("/")
    try:
        user_id, position, token = auth.directory().invite(
            form["email"], form["name"], auth.actor(), form["organisation"], plan or None, tavolo or None,
            form["role"] or "member")
    except DomainError as error:  # shown next to the form
        return done_or_errors(None, error, "", "inviti", "invite.")
    send_link(form["email"], "Invito alla co-programmazione", token,
              f"{form['name']}, è stata invitata/o a partecipare a Coprogramma. "
              "Per scegliere la password e accedere apra questo collegamento (valido 14 giorni):")
    wait(position)
    flash(f"Invito inviato a {form['email']}.")
    return redirect(url_for("ui.admin") + "#inviti")


@bp.post("/amministrazione/tavoli")
@login_required
def seat():
    admin_only()
    plan, _, tavolo = request.form.get("seat", "").partition("/")
    user_id, role = request.form.get("user_id", ""), request.form.get("role", "member")
    if request.form.get("change") == "remove":
        position, error = attempt(rt().app.remove_tavolo_member, plan, tavolo, user_id, auth.actor())
        return done_or_errors(position, error, "Persona tolta dal tavolo.", "ruoli-tavolo", "seat.")
    position, error = attempt(rt().app.set_tavolo_member, plan, tavolo, user_id, role, auth.actor())
    return done_or_errors(position, error, "Ruolo al tavolo registrato.", "ruoli-tavolo", "seat.")
