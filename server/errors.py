"""One error shape for the whole product: JSON for the API, a page for browsers.

API: {"error": "<code>", "message": "<Italian>", "details": {...}} with the status of the contract.
"""
from __future__ import annotations

import logging

from eventsourcing.persistence import MapperDeserialisationError
from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from server.audit.verify import UNREADABLE, Tampered
from server.events.errors import DomainError

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_failed",
         429: "rate_limited", 500: "internal_error"}
MESSAGES = {400: "Richiesta non valida", 401: "Autenticazione richiesta", 403: "Operazione non consentita",
            404: "Risorsa inesistente", 405: "Metodo non consentito", 409: "Conflitto con lo stato attuale",
            413: "Il corpo della richiesta è troppo grande", 415: "Formato del contenuto non supportato",
            422: "Dati non validi", 429: "Troppe richieste: riprovare più tardi",
            500: "Errore interno del server"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" or request.accept_mimetypes.best == "application/json"


def render_error(status: int, code: str | None = None, message: str | None = None, details: dict | None = None):
    code = code or CODES.get(status, "error")
    message = message or MESSAGES.get(status, "Errore")
    if wants_json():
        return {"error": code, "message": message, "details": details or {}}, status
    return render_template("error.html", status=status, message=message, details=details or {}), status


def flatten_validation(messages: dict) -> dict:
    """webargs nests errors by location ({"json": {"field": [...]}}); the contract names fields."""
    details: dict = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            for field, problems in errors.items():
                details[field] = _first_messages(problems)
        else:
            details[location] = _first_messages(errors)
    return details


def _first_messages(problems):
    if isinstance(problems, list) and all(isinstance(p, str) for p in problems):
        return " ".join(problems)
    if isinstance(problems, dict):
        return {str(k): _first_messages(v) for k, v in problems.items()}
    return problems


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs: malformed JSON (400) or validation failure (422)
        if status == 400:
            return render_error(400, "malformed_json", "Il corpo della richiesta non è un JSON valido")
        return render_error(422, "validation_failed", "Dati non validi: correggere i campi indicati",
                            flatten_validation(data["messages"]))
    message = data.get("message") or (error.description if _is_ours(error) else None)
    return render_error(status, None, message, data.get("details"))


def _is_ours(error: HTTPException) -> bool:
    """abort(..., description=...) in our code sets an Italian description; werkzeug's and
    Flask-Limiter's (e.g. "10 per 1 minute") are English."""
    return error.code != 429 and error.description != type(error).description


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return render_error(error.status, error.code, error.message, error.details)

    @app.errorhandler(MapperDeserialisationError)
    def _unreadable_event(error: MapperDeserialisationError):
        """A stored event altered past reading, met while computing a past state: the log's fault,
        not a bug of ours."""
        log.warning("unreadable stored event: %s", error)
        return render_error(Tampered.status, Tampered.code, UNREADABLE)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_exception(error)
        log.exception("unexpected error")
        return render_error(500)
