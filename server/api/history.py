"""The history of a plan: every event with actor, time, place and a one-line summary."""
from __future__ import annotations

import itertools

from flask import Response, stream_with_context
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from server import auth
from server.api.common import AuditQuery, runtime
from server.queries.history import (EXPORT_PAGE, all_pages, check_filters, csv_chunks, head, history_page,
                                    jsonl_chunks)
from server.queries.plans import get_plan_row
from server.validation.fields import Instant, Text

blp = Blueprint("history", __name__, url_prefix="/api/v1/plans/<key>", description="Storia, riproduzione, verifica")

PAGE = 100  # events per JSON page unless `limit` says otherwise


class HistoryQuery(AuditQuery):
    objective = Text(load_default=None, metadata={"description": "Riferimento (attuale o precedente) o id dell'obiettivo"})
    tavolo = Text(load_default=None, metadata={"description": "Chiave del tavolo"})
    actor = Text(load_default=None, metadata={"description": "Id dell'account che ha agito"})
    since = Instant(load_default=None)
    until = Instant(load_default=None)
    after = fields.Integer(load_default=None, validate=validate.Range(min=0),
                           metadata={"description": "Il `next` della pagina precedente"})
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=1000),
                           metadata={"description": f"Eventi per pagina (predefinito {PAGE}); nelle esportazioni "
                                                    "senza `limit` arrivano tutti gli eventi"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "jsonl"]))


ActorOut = Schema.from_dict({"id": fields.String(), "name": fields.String(allow_none=True),
                             "organisation": fields.String(allow_none=True)}, name="HistoryActor")
HistoryEventOut = Schema.from_dict({
    "position": fields.Integer(), "at": fields.String(), "type": fields.String(), "plan": fields.String(),
    "actor": fields.Nested(ActorOut, allow_none=True), "tavolo": fields.String(allow_none=True),
    "objective_ref": fields.String(allow_none=True), "objective_id": fields.String(allow_none=True),
    "proposal_id": fields.String(allow_none=True), "summary": fields.String(),
    "data": fields.Dict(metadata={"description": "I campi dell'evento"}),
}, name="HistoryEvent")
HistoryOut = Schema.from_dict({
    "events": fields.List(fields.Nested(HistoryEventOut)),
    "next": fields.Integer(allow_none=True, metadata={"description": "Da passare come `after`; null all'ultima pagina"}),
}, name="HistoryPage")


@blp.route("/history", methods=["GET"])
@blp.arguments(HistoryQuery, location="query", unknown=RAISE)
@blp.alt_response(200, schema=HistoryOut, success=True,
                  description="Una pagina di eventi; con `format=csv` o `format=jsonl` un file da scaricare")
def history(query, key):
    """Gli eventi del piano, dal più vecchio; paginazione con `after` = il `next` ricevuto.
    `format=csv` o `format=jsonl` per esportarli: tutti, o una pagina se si indica `limit`."""
    viewer = auth.require_login()
    fmt, limit = query.pop("format"), query.pop("limit")
    with runtime().sessions() as session:
        get_plan_row(session, key)
        check_filters(session, key, **query)
        if fmt == "json" or limit is not None:
            events, next_position = history_page(runtime().app, session, key, viewer, limit=limit or PAGE, **query)
        else:
            upto = head(session)
    if fmt == "json":
        return {"events": events, "next": next_position}
    if limit is not None:
        pages, headers = iter([events]), {"X-Next-After": str(next_position)} if next_position is not None else {}
    else:
        pages, headers = all_pages(runtime(), key, viewer, query, upto, EXPORT_PAGE), {}
        # The first page before the answer starts, so that an altered log there is a 409 `tampered`. One
        # met later can only cut the transfer short: every HTTP client reports it as incomplete.
        pages = itertools.chain([next(pages)], pages)
    if fmt == "jsonl":
        return _download(jsonl_chunks(pages), "application/x-ndjson", f"{key}-storia.jsonl", headers)
    return _download(csv_chunks(pages), "text/csv; charset=utf-8", f"{key}-storia.csv", headers)


def _download(body, content_type: str, filename: str, headers: dict) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', **headers}
    return Response(stream_with_context(body), content_type=content_type, headers=headers)
