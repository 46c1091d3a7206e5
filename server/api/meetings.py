"""Sessions (sedute) of a tavolo: convocation, agenda, attendance, quadranti di sintesi, minutes."""
from __future__ import annotations

from uuid import uuid4

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from server import auth
from server.api.common import done, runtime
from server.validation.fields import Instant, Key, Text
from server.events.errors import Forbidden, NotFound
from server.events.meeting import QUADRANTS
from server.meetings_minutes import generated_minutes
from server.projections.meetings import MeetingRow
from server.queries.meetings import meeting_detail, meeting_summary
from server.projections.plans import TavoloRow
from server.queries.plans import get_plan_row
from server.queries.plans import may_see_tavolo

blp = Blueprint("meetings", __name__, url_prefix="/api/v1/plans/<key>/tavoli/<tavolo>/sessions",
                description="Sedute dei tavoli: presenze, quadranti di sintesi, verbale")



def refs() -> fields.List:
    return fields.List(Text(validate=validate.Length(max=64)), load_default=list, validate=validate.Length(max=50))


def proposal_ids() -> fields.List:
    return fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=50))



class AgendaItemIn(Schema):
    title = Text(required=True, validate=validate.Length(max=500))
    objective_ref = Text(load_default=None, validate=validate.Length(max=64))


class AgendaIn(Schema):
    agenda = fields.List(fields.Nested(AgendaItemIn), required=True, validate=validate.Length(min=1, max=100))


class ConveneIn(AgendaIn):
    title = Text(required=True, validate=validate.Length(max=300))
    starts_at = Instant(required=True)
    place = Text(load_default=None, validate=validate.Length(max=500))
    link = Text(load_default=None, validate=[validate.Length(max=2000), validate.URL(
        schemes={"http", "https"}, error="Indirizzo web non valido (http o https).")])


class AttendanceIn(Schema):
    organisation = Key(required=True)
    present = fields.Boolean(required=True)
    people = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0, max=100000))


class LinksIn(Schema):
    objectives = refs()
    proposals = proposal_ids()

    @validates_schema
    def _something(self, data, **_):
        if not data["objectives"] and not data["proposals"]:
            raise ValidationError("Indicare almeno un obiettivo o una proposta.", "objectives")


class ContributionIn(Schema):
    quadrant = fields.String(required=True, validate=validate.OneOf(list(QUADRANTS)))
    text = Text(required=True, validate=validate.Length(max=20000))
    organisation = Key(load_default=None)
    objectives = refs()
    proposals = proposal_ids()


class MinutesIn(Schema):
    text = Text(required=True, validate=validate.Length(max=200000))


Written = Schema.from_dict({"id": fields.String(), "position": fields.Integer()}, name="SessionWritten")
Position = Schema.from_dict({"position": fields.Integer()}, name="SessionPosition")
Closed = Schema.from_dict({"position": fields.Integer(), "minutes": fields.String()}, name="SessionClosed")


# -- reading ---------------------------------------------------------------------------------------
def _tavolo_row(session, key: str, tavolo: str) -> TavoloRow:
    get_plan_row(session, key)
    row = session.get(TavoloRow, (key, tavolo))
    if row is None:
        raise NotFound("Tavolo sconosciuto", {"tavolo": tavolo})
    return row


def _visible_tavolo(session, key: str, tavolo: str) -> TavoloRow:
    viewer = auth.require_login()
    row = _tavolo_row(session, key, tavolo)
    if not may_see_tavolo(viewer, key, tavolo):
        raise Forbidden("Le sedute sono visibili ai partecipanti del tavolo, ai revisori e all'Ufficio di Piano")
    return row


def _meeting_row(session, key: str, tavolo: str, meeting_id: str) -> MeetingRow:
    row = session.get(MeetingRow, meeting_id)
    if row is None or (row.plan_key, row.tavolo) != (key, tavolo):
        raise NotFound("Seduta sconosciuta", {"session": meeting_id})
    return row


@blp.route("", methods=["GET"])
def sessions(key, tavolo):
    """Le sedute del tavolo, in ordine di data."""
    with runtime().sessions() as session:
        _visible_tavolo(session, key, tavolo)
        rows = session.scalars(select(MeetingRow).where(MeetingRow.plan_key == key, MeetingRow.tavolo == tavolo)
                               .order_by(MeetingRow.starts_at_utc, MeetingRow.convened_position))
        return [meeting_summary(row) for row in rows]


@blp.route("/<meeting_id>", methods=["GET"])
def meeting(key, tavolo, meeting_id):
    """Una seduta: ordine del giorno, presenze, contributi per quadrante con i collegamenti, verbale."""
    with runtime().sessions() as session:
        _visible_tavolo(session, key, tavolo)
        return meeting_detail(session, _meeting_row(session, key, tavolo, meeting_id))


@blp.route("/<meeting_id>/minutes", methods=["GET"])
def minutes(key, tavolo, meeting_id):
    """Il verbale generato dagli eventi della seduta, quello modificato dai coordinatori e quello registrato."""
    with runtime().sessions() as session:
        tavolo_row = _visible_tavolo(session, key, tavolo)
        row = _meeting_row(session, key, tavolo, meeting_id)
        return {"generated": generated_minutes(session, tavolo_row, row), "edited": row.edited_minutes,
                "final": row.minutes}


# -- writing ---------------------------------------------------------------------------------------
@blp.route("", methods=["POST"])
@blp.arguments(ConveneIn)
@blp.response(201, Written)
def convene(data, key, tavolo):
    """Convoca una seduta (coordinatori del tavolo e amministratori)."""
    meeting_id = uuid4()
    position = runtime().app.convene_meeting(meeting_id, key, tavolo, data["title"], data["starts_at"].isoformat(),
                                             data["place"], data["link"], data["agenda"], auth.actor())
    return done(position, id=str(meeting_id))


@blp.route("/<meeting_id>/agenda", methods=["PUT"])
@blp.arguments(AgendaIn)
@blp.response(200, Position)
def agenda(data, key, tavolo, meeting_id):
    """Sostituisce l'ordine del giorno."""
    return done(runtime().app.change_meeting_agenda(key, tavolo, meeting_id, data["agenda"], auth.actor()))


@blp.route("/<meeting_id>/attendance", methods=["POST"])
@blp.arguments(AttendanceIn)
@blp.response(200, Position)
def attendance(data, key, tavolo, meeting_id):
    """Registra dal foglio firme la presenza o l'assenza di un'organizzazione (sostituisce la precedente)."""
    return done(runtime().app.record_meeting_attendance(key, tavolo, meeting_id, data["organisation"],
                                                        data["present"], data["people"], auth.actor()))


@blp.route("/<meeting_id>/contributions", methods=["POST"])
@blp.arguments(ContributionIn)
@blp.response(201, Written)
def contribute(data, key, tavolo, meeting_id):
    """Aggiunge un contributo a un quadrante, a nome di un'organizzazione presente."""
    contribution_id, position = runtime().app.add_meeting_contribution(
        key, tavolo, meeting_id, data["quadrant"], data["text"], data["organisation"], data["objectives"],
        [str(p) for p in data["proposals"]], auth.actor())
    return done(position, id=contribution_id)


@blp.route("/<meeting_id>/contributions/<contribution_id>/links", methods=["POST"])
@blp.arguments(LinksIn)
@blp.response(200, Position)
def link(data, key, tavolo, meeting_id, contribution_id):
    """Collega un contributo agli obiettivi e alle proposte a cui ha portato (si aggiungono ai precedenti)."""
    return done(runtime().app.link_meeting_contribution(key, tavolo, meeting_id, contribution_id, data["objectives"],
                                                        [str(p) for p in data["proposals"]], auth.actor()))


@blp.route("/<meeting_id>/minutes", methods=["PUT"])
@blp.arguments(MinutesIn)
@blp.response(200, Position)
def edit_minutes(data, key, tavolo, meeting_id):
    """Modifica il testo del verbale prima della chiusura."""
    return done(runtime().app.edit_meeting_minutes(key, tavolo, meeting_id, data["text"], auth.actor()))


@blp.route("/<meeting_id>/close", methods=["POST"])
@blp.response(200, Closed)
def close(key, tavolo, meeting_id):
    """Chiude la seduta registrando il verbale modificato, se c'è, altrimenti quello generato."""
    actor = auth.actor()
    with runtime().sessions() as session:
        generated, version = minutes_to_close(session, key, tavolo, meeting_id)
    position, text = runtime().app.close_meeting(key, tavolo, meeting_id, generated, version, actor)
    return done(position, minutes=text)


def minutes_to_close(session, key: str, tavolo: str, meeting_id: str) -> tuple[str, int]:
    """The minutes generated from the session as it is now and the version they describe: what
    close_meeting records when the coordinators did not edit the minutes."""
    tavolo_row = _tavolo_row(session, key, tavolo)
    row = _meeting_row(session, key, tavolo, meeting_id)
    return generated_minutes(session, tavolo_row, row), row.version
