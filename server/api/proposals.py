"""Proposals (amendments and new objectives), comments, supports, decisions."""
from __future__ import annotations

from uuid import uuid4

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import auth
from server.api.common import done, runtime
from server.validation.fields import Text
from server.api.payloads import ObjectiveChanges
from server.events.proposal import DECISIONS
from server.queries.proposals import get_proposal, list_proposals

blp = Blueprint("proposals", __name__, url_prefix="/api/v1", description="Proposte di modifica e decisioni")

STATUSES = ("open", "changes_requested", "approved", "rejected", "withdrawn")


class AmendmentIn(Schema):
    base_version = fields.Integer(required=True, validate=validate.Range(min=1))
    changes = ObjectiveChanges(required=True)
    rationale = Text(load_default=None, validate=validate.Length(max=20000))


class NewObjectiveIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["new_objective"]))
    macro_area = Text(required=True)
    fields = ObjectiveChanges(partial=False, required=True)
    rationale = Text(load_default=None, validate=validate.Length(max=20000))


class ReviseIn(Schema):
    base_version = fields.Integer(load_default=None, validate=validate.Range(min=1))
    changes = ObjectiveChanges(required=True)
    rationale = Text(load_default=None, validate=validate.Length(max=20000))


class CommentIn(Schema):
    text = Text(required=True, validate=validate.Length(max=20000))


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(list(DECISIONS)))
    reason = Text(load_default=None, validate=validate.Length(max=20000))


class ListQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    tavolo = Text(load_default=None)


Opened = Schema.from_dict({"id": fields.String(), "status": fields.String(), "position": fields.Integer()},
                          name="ProposalWritten")
Decided = Schema.from_dict({"status": fields.String(), "position": fields.Integer(),
                            "objective_version": fields.Integer(allow_none=True)}, name="ProposalDecided")


@blp.route("/plans/<key>/objectives/<ref>/proposals", methods=["POST"])
@blp.arguments(AmendmentIn)
@blp.response(201, Opened)
def propose_amendment(data, key, ref):
    """Propone di modificare uno o più campi di un obiettivo (membri e coordinatori del tavolo)."""
    proposal_id = uuid4()
    position = runtime().app.propose_amendment(proposal_id, key, ref, data["base_version"], data["changes"],
                                               data["rationale"], auth.actor())
    return done(position, id=str(proposal_id), status="open")


@blp.route("/plans/<key>/tavoli/<tavolo>/proposals", methods=["POST"])
@blp.arguments(NewObjectiveIn)
@blp.response(201, Opened)
def propose_objective(data, key, tavolo):
    """Propone un nuovo obiettivo per il tavolo."""
    proposal_id = uuid4()
    position = runtime().app.propose_new_objective(proposal_id, key, tavolo, data["macro_area"], data["fields"],
                                                   data["rationale"], auth.actor())
    return done(position, id=str(proposal_id), status="open")


@blp.route("/plans/<key>/proposals", methods=["GET"])
@blp.arguments(ListQuery, location="query")
def proposals(query, key):
    """Le proposte del piano visibili a chi chiede, dalla più vecchia (filtri: stato, tavolo)."""
    auth.require_login()
    with runtime().sessions() as session:
        return list_proposals(session, key, auth.current(), query["status"], query["tavolo"], runtime().app)


@blp.route("/proposals/<proposal_id>", methods=["GET"])
def proposal(proposal_id):
    """Una proposta con modifiche, motivazione, commenti, sostegni e decisione."""
    auth.require_login()
    with runtime().sessions() as session:
        return get_proposal(session, proposal_id, auth.current(), runtime().app)


@blp.route("/proposals/<proposal_id>/comments", methods=["POST"])
@blp.arguments(CommentIn)
@blp.response(201, Schema.from_dict({"id": fields.String(), "position": fields.Integer()}, name="CommentWritten"))
def comment(data, proposal_id):
    """Commenta una proposta."""
    comment_id, position = runtime().app.comment_proposal(proposal_id, data["text"], auth.actor())
    return done(position, id=comment_id)


@blp.route("/proposals/<proposal_id>/support", methods=["POST"])
@blp.response(200, Schema.from_dict({"position": fields.Integer()}, name="SupportWritten"))
def support(proposal_id):
    """Sostiene una proposta (una volta per persona)."""
    return done(runtime().app.support_proposal(proposal_id, auth.actor()))


@blp.route("/proposals/<proposal_id>/revise", methods=["POST"])
@blp.arguments(ReviseIn)
@blp.response(200, Opened)
def revise(data, proposal_id):
    """L'autore rivede la proposta, eventualmente sulla versione attuale dell'obiettivo."""
    position = runtime().app.revise_proposal(proposal_id, data["base_version"], data["changes"],
                                             data["rationale"], auth.actor())
    return done(position, id=proposal_id, status="open")


@blp.route("/proposals/<proposal_id>/withdraw", methods=["POST"])
@blp.response(200, Opened)
def withdraw(proposal_id):
    """L'autore ritira la proposta."""
    return done(runtime().app.withdraw_proposal(proposal_id, auth.actor()), id=proposal_id, status="withdrawn")


@blp.route("/proposals/<proposal_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, Decided)
def decide(data, proposal_id):
    """Approva, respinge o chiede modifiche (coordinatori del tavolo o amministratori, mai l'autore)."""
    position, objective_version = runtime().app.decide_proposal(proposal_id, data["decision"], data["reason"],
                                                                auth.actor())
    return done(position, status=DECISIONS[data["decision"]], objective_version=objective_version)
