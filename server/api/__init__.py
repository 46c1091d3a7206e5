"""The public REST API (contract: shared spec/api.md), documented as OpenAPI 3.1."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields

from server import errors
from server.validation import italian  # noqa: F401  (Italian validation messages)


class ErrorSchema(Schema):
    """The contract's error shape (see server/errors.py), published as the `Error` schema."""

    error = fields.String(required=True, metadata={"example": "validation_failed"})
    message = fields.String(required=True, metadata={"description": "Messaggio in italiano"})
    details = fields.Dict(required=True, metadata={"description": "Campo → problema"})


class CoprogrammaApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return errors.handle_http_exception(error)


def init_api(app: Flask) -> Api:
    app.config.update(
        API_TITLE="Coprogramma",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": "Co-programmazione dei Piani di Zona: API pubblica, versione 1."},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            }},
        },
    )
    api = CoprogrammaApi(app)
    errors.init_app(app)

    from server.api import (audit, auth, health, history, lifecycle, meetings, objectives, organisations, planio,
                            plans, proposals, users)

    for module in (auth, users, organisations, planio, plans, lifecycle, objectives, proposals, meetings, history,
                   audit, health):
        api.register_blueprint(module.blp)
    return api
