"""Sedute from the Tavolo page: convene, agenda, attendance sheet, quadranti, minutes, closing.

Each form calls the same application command as the API (server/api/meetings.py), which decides
who may do what. A refused submission shows the Tavolo page again with what the person typed and
the reason, next to the field it concerns; nothing is recorded.
"""
from __future__ import annotations

from uuid import uuid4

from flask import flash, redirect, request, url_for

from server import auth
from server.api.meetings import minutes_to_close
from server.events.meeting import QUADRANTS
from server.ui import bp
from server.ui import meeting_forms as forms
from server.ui.common import attempt, login_required, rt, viewer, wait

SESSIONS = "/piani/<key>/tavoli/<tavolo>/sedute"
SESSION = SESSIONS + "/<meeting_id>"


def _refused(key: str, tavolo: str, form: str, meeting_id: str | None, errors: dict, status: int = 422):
    from server.ui.tavoli import tavolo as tavolo_page

    return tavolo_page(key, tavolo, failed=forms.failure(form, meeting_id, request.form, errors), status=status)


def _run(key: str, tavolo: str, form: str, meeting_id: str, command, *args, done: str, indices=(),
         new: bool = False):
    """Runs the command; on success back to the session on the Tavolo page, else the page again."""
    position, error = attempt(command, *args)
    if error is not None and error.status in (403, 404):
        raise error  # the error page: this person has no such form, or there is no such session
    if error is not None:
        return _refused(key, tavolo, form, None if new else meeting_id, forms.error_fields(error, indices),
                        error.status)
    wait(position)
    flash(done)
    return redirect(url_for("ui.tavolo", key=key, tavolo=tavolo, seduta=meeting_id, _anchor=f"seduta-{meeting_id}"))


@bp.post(SESSIONS)
@login_required
def convene(key, tavolo):
    args, errors, indices = forms.read_convene(request.form)
    if errors:
        return _refused(key, tavolo, "convoca", None, errors)
    meeting_id = uuid4()
    return _run(key, tavolo, "convoca", str(meeting_id), rt().app.convene_meeting, meeting_id, key, tavolo,
                args["title"], args["starts_at"], args["place"], args["link"], args["agenda"], auth.actor(),
                done="Seduta convocata: la vedono tutti i partecipanti del tavolo.", indices=indices, new=True)


@bp.post(SESSION + "/ordine-del-giorno")
@login_required
def change_agenda(key, tavolo, meeting_id):
    agenda, errors, indices = forms.read_agenda(request.form)
    if errors:
        return _refused(key, tavolo, "odg", meeting_id, errors)
    return _run(key, tavolo, "odg", meeting_id, rt().app.change_meeting_agenda, key, tavolo, meeting_id, agenda,
                auth.actor(), done="Ordine del giorno aggiornato.", indices=indices)


@bp.post(SESSION + "/presenze")
@login_required
def record_attendance(key, tavolo, meeting_id):
    args, errors = forms.read_attendance(request.form)
    if errors:
        return _refused(key, tavolo, "presenze", meeting_id, errors)
    done = "Presenza registrata." if args["present"] else "Assenza registrata."
    return _run(key, tavolo, "presenze", meeting_id, rt().app.record_meeting_attendance, key, tavolo, meeting_id,
                args["organisation"], args["present"], args["people"], auth.actor(), done=done)


@bp.post(SESSION + "/contributi")
@login_required
def add_contribution(key, tavolo, meeting_id):
    me = viewer()
    transcribes = me.coordinates(key, tavolo)  # the form offers a choice of organisation
    args, errors = forms.read_contribution(request.form, transcribes)
    if errors:
        return _refused(key, tavolo, "contributo", meeting_id, errors)

    def add():
        _, position = rt().app.add_meeting_contribution(key, tavolo, meeting_id, args["quadrant"], args["text"],
                                                        args.get("organisation"), args["objectives"], [], auth.actor())
        return position

    return _run(key, tavolo, "contributo", meeting_id, add,
                done=f"Contributo aggiunto al quadrante «{QUADRANTS[args['quadrant']]}».")


@bp.post(SESSION + "/contributi/<contribution_id>/collegamenti")
@login_required
def link_contribution(key, tavolo, meeting_id, contribution_id):
    """Coordinators link any contribution to objectives or proposals; a member, the ones they recorded."""
    args, errors = forms.read_link(request.form)
    if errors:
        return _refused(key, tavolo, "collega", meeting_id, errors)
    return _run(key, tavolo, "collega", meeting_id, rt().app.link_meeting_contribution, key, tavolo, meeting_id,
                contribution_id, args["objectives"], args["proposals"], auth.actor(),
                done="Contributo collegato.")


@bp.post(SESSION + "/verbale")
@login_required
def edit_minutes(key, tavolo, meeting_id):
    text, errors = forms.read_minutes(request.form)
    if errors:
        return _refused(key, tavolo, "verbale", meeting_id, errors)
    return _run(key, tavolo, "verbale", meeting_id, rt().app.edit_meeting_minutes, key, tavolo, meeting_id, text,
                auth.actor(), done="Verbale modificato: questo testo sarà registrato alla chiusura della seduta.")


@bp.post(SESSION + "/chiudi")
@login_required
def close(key, tavolo, meeting_id):
    """Records the edited minutes if any, else the ones generated now (as the API does)."""
    with rt().sessions() as s:
        generated, version = minutes_to_close(s, key, tavolo, meeting_id)

    def close_meeting():
        position, _ = rt().app.close_meeting(key, tavolo, meeting_id, generated, version, auth.actor())
        return position

    return _run(key, tavolo, "chiudi", meeting_id, close_meeting,
                done="Seduta chiusa: il verbale è registrato e non si può più modificare.")
