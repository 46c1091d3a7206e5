"""The history of a plan: every event with actor, time, place and a one-line summary."""
from __future__ import annotations

import csv
import io

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from server import auth
from server.api.common import runtime
from server.validation.fields import Text
from server.queries.history import history_page
from server.jsonutil import dumps
from server.queries.plans import get_plan_row

blp = Blueprint("history", __name__, url_prefix="/api/v1/plans/<key>", description="Storia, riproduzione, verifica")

CSV_COLUMNS = ("position", "at", "type", "actor_id", "actor_name", "organisation", "tavolo", "objective_ref",
               "proposal_id", "summary")


class HistoryQuery(Schema):
    objective = Text(load_default=None)
    tavolo = Text(load_default=None)
    actor = Text(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    after = fields.Integer(load_default=None, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "jsonl"]))


@blp.route("/history", methods=["GET"])
@blp.arguments(HistoryQuery, location="query")
def history(query, key):
    """Gli eventi del piano, dal più vecchio; paginazione con `after` = il `next` ricevuto.
    `format=csv` o `format=jsonl` per esportarli."""
    viewer = auth.require_login()
    fmt = query.pop("format")
    with runtime().sessions() as session:
        get_plan_row(session, key)
        events, next_position = history_page(session, key, viewer, **query)
    if fmt == "jsonl":
        body = "".join(dumps(event) + "\n" for event in events)
        return _download(body, "application/x-ndjson", f"{key}-storia.jsonl", next_position)
    if fmt == "csv":
        return _download(_csv(events), "text/csv; charset=utf-8", f"{key}-storia.csv", next_position)
    return {"events": events, "next": next_position}


def _csv(events: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        actor = e["actor"] or {}
        writer.writerow([e["position"], e["at"], e["type"], actor.get("id"), actor.get("name"),
                         actor.get("organisation"), e["tavolo"], e["objective_ref"], e["proposal_id"], e["summary"]])
    return out.getvalue()


def _download(body: str, mimetype: str, filename: str, next_position: int | None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if next_position is not None:
        headers["X-Next-After"] = str(next_position)
    return Response(body, mimetype=mimetype, headers=headers)
