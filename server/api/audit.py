"""Replay and audit: the plan at any moment, diffs, provenance, certified snapshots, chain verification.

What the plan published is public at any moment (as `GET /plans/{key}` is now); provenance names
people, so it follows the history's visibility; verifying the chain is for auditors and admins.
"""
from __future__ import annotations

from datetime import datetime

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from server import audit, auth
from server.api.common import AuditQuery, runtime
from server.api.plans import PlanDetailOut
from server.audit.snapshot import certify
from server.events.errors import Forbidden
from server.replay.compare import objective_provenance, plan_diff
from server.replay.shape import plan_state
from server.replay.state import require_state, resolve
from server.validation.fields import OUT_OF_RANGE, Instant, representable
from server.queries.plans import get_plan_row, may_see_tavolo

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Riproduzione, confronti, provenienza, verifica")


class MomentQuery(AuditQuery):
    at = fields.Integer(load_default=None, validate=validate.Range(min=0, error="Posizione non valida (>= 0)."),
                        metadata={"description": "Posizione nel registro degli eventi"})
    as_of = Instant(load_default=None, metadata={"description": "Istante ISO 8601 con fuso orario"})

    @validates_schema
    def _one(self, data, **_):
        if data.get("at") is not None and data.get("as_of") is not None:
            raise ValidationError("Usare solo uno tra «at» e «as_of».", "as_of")


def moment(query: dict) -> dict:
    return {k: v for k, v in query.items() if k in ("at", "as_of") and v is not None}


class Moment(fields.Field):
    """A position (digits) or an ISO 8601 time with offset."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        if text.isdigit():
            return {"at": int(text)}
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("Indicare una posizione (numero) o un istante ISO 8601 con fuso orario.") from None
        if when.tzinfo is None:
            raise ValidationError("Istante senza fuso orario: aggiungere ad es. +01:00.")
        if not representable(when):
            raise ValidationError(OUT_OF_RANGE)
        return {"as_of": when}


class DiffQuery(AuditQuery):
    from_ = Moment(required=True, data_key="from", metadata={"description": "Posizione o istante"})
    to = Moment(load_default=None, metadata={"description": "Posizione o istante (predefinito: ora)"})


class SnapshotQuery(MomentQuery):
    approval = fields.Integer(load_default=None, validate=validate.Range(min=1),
                              metadata={"description": "Atto di approvazione (1 = il primo; predefinito: l'ultimo)"})

    @validates_schema
    def _act_or_moment(self, data, **_):
        if data.get("approval") is not None and moment(data):
            raise ValidationError("Indicare un atto di approvazione («approval») oppure un momento («at», "
                                  "«as_of»), non entrambi.", "approval")


class VerifyQuery(AuditQuery):
    at = fields.Integer(load_default=None, validate=validate.Range(min=0, error="Posizione non valida (>= 0)."),
                        metadata={"description": "Posizione di una testa pubblicata in precedenza"})
    head = fields.String(load_default=None, metadata={"description": "La testa pubblicata a quella posizione "
                                                                     "(64 cifre esadecimali): deve essere quella ricalcolata"})

    @validates_schema
    def _both(self, data, **_):
        if (data.get("at") is None) != (data.get("head") is None):
            raise ValidationError("Indicare insieme «at» e «head» (la testa pubblicata a quella posizione).",
                                  "head" if data.get("head") is None else "at")


class StateOut(PlanDetailOut):
    position = fields.Integer(metadata={"description": "La posizione a cui è calcolato"})


DiffObjectivesOut = Schema.from_dict({
    "added": fields.List(fields.String()), "removed": fields.List(fields.String()),
    "renamed": fields.List(fields.Dict(), metadata={"description": "{from, to, id}"}),
    "changed": fields.List(fields.Dict(), metadata={"description": "{ref, id, fields: {campo: {before, after, items?}}}"}),
}, name="DiffObjectives")
DiffOut = Schema.from_dict({
    "from": fields.Dict(), "to": fields.Dict(), "plan": fields.Dict(metadata={"description": "campo → {before, after}"}),
    "objectives": fields.Nested(DiffObjectivesOut), "added_objectives": fields.List(fields.Dict()),
}, name="PlanDiff")
ProvenanceOut = Schema.from_dict({
    "ref": fields.String(), "id": fields.String(), "position": fields.Integer(),
    "fields": fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "campo → {value, position, at, event, proposal_id, proposed_by, decided_by, history}"}),
}, name="Provenance")
SnapshotOut = Schema.from_dict({
    "format": fields.String(), "plan": fields.String(), "position": fields.Integer(), "at": fields.String(),
    "approval": fields.Dict(allow_none=True), "chain": fields.Dict(metadata={"description": "{algorithm, position, link}"}),
    "state": fields.Nested(PlanDetailOut),
}, name="CertifiedSnapshot")
PublishedOut = Schema.from_dict({"position": fields.Integer(), "head": fields.String(),
                                 "recomputed": fields.String(), "matches": fields.Boolean()}, name="PublishedHead")
VerifyOut = Schema.from_dict({"ok": fields.Boolean(), "events": fields.Integer(), "head": fields.String(),
                              "first_bad_position": fields.Integer(allow_none=True),
                              "position": fields.Integer(), "summary": fields.String(),
                              "stored_head": fields.String(metadata={"description": "La testa della catena salvata"}),
                              "published": fields.Nested(PublishedOut)}, name="AuditVerification")


@blp.route("/plans/<key>/state", methods=["GET"])
@blp.arguments(MomentQuery, location="query", unknown=RAISE)
@blp.alt_response(200, schema=StateOut, success=True, description="Il piano in quel momento")
def state(query, key):
    """Il piano com'era alla posizione `at` o all'istante `as_of`, con tutti i campi degli obiettivi."""
    rt = runtime()
    with rt.sessions() as session:
        get_plan_row(session, key)
        position = resolve(rt, session, **moment(query))
        return {**plan_state(require_state(rt, session, key, position)), "position": position}


@blp.route("/plans/<key>/diff", methods=["GET"])
@blp.arguments(DiffQuery, location="query", unknown=RAISE)
@blp.alt_response(200, schema=DiffOut, success=True, description="Le differenze")
def diff(query, key):
    """Che cosa è cambiato tra due momenti: obiettivi aggiunti, tolti, rinominati, campi prima/dopo
    (liste e voci di bilancio confrontate voce per voce), e le modifiche al piano (stato, periodo...)."""
    rt = runtime()
    with rt.sessions() as session:
        return plan_diff(rt, session, key, query["from_"], query["to"] or {})


@blp.route("/plans/<key>/objectives/<ref>/provenance", methods=["GET"])
@blp.arguments(MomentQuery, location="query", unknown=RAISE)
@blp.alt_response(200, schema=ProvenanceOut, success=True, description="La provenienza dei campi")
def provenance(query, key, ref):
    """Per ogni campo: l'evento che ha fissato il valore, la proposta, chi l'ha proposta e chi ha deciso,
    e i valori precedenti (`history`, dal più vecchio)."""
    viewer = auth.require_login()

    def check(tavolo):
        if tavolo is not None and not may_see_tavolo(viewer, key, tavolo):
            raise Forbidden("La provenienza è visibile ai partecipanti del tavolo, ai revisori e all'Ufficio di Piano")

    rt = runtime()
    with rt.sessions() as session:
        return objective_provenance(rt, session, key, ref, moment(query), check)


@blp.route("/plans/<key>/snapshot", methods=["GET"])
@blp.arguments(SnapshotQuery, location="query", unknown=RAISE)
@blp.alt_response(200, schema=SnapshotOut, success=True, description="L'istantanea certificata")
def snapshot(query, key):
    """Istantanea certificata: il piano come approvato (o a `at`/`as_of`) con l'anello della catena
    di hash a quella posizione."""
    rt = runtime()
    with rt.sessions() as session:
        get_plan_row(session, key)
        when = moment(query)
        position = resolve(rt, session, **when) if when else None
        return certify(rt, session, key, position=position, approval=query["approval"])


@blp.route("/audit/verify", methods=["GET"])
@blp.arguments(VerifyQuery, location="query", unknown=RAISE)
@blp.response(200, VerifyOut)
def verify_chain(query):
    """Ricalcola la catena di hash dal registro grezzo degli eventi e la confronta con quella salvata
    (revisori e amministratori). Con `at` e `head`: anche la testa pubblicata a quella posizione deve
    essere quella ricalcolata (scopre un registro riscritto insieme alla sua catena)."""
    published = (query["at"], query["head"]) if query["at"] is not None else None
    return audit.verify_chain(runtime(), auth.require_login(), published)
