"""Refusals raised by the write model; entry points turn them into HTTP errors."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Invalid(DomainError):
    """Input that breaks a rule; `details` maps each field to its Italian message."""

    status = 422
    code = "validation_failed"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unavailable(DomainError):
    """The service cannot do this now (not the request's fault); trying later may succeed."""

    status = 503
    code = "unavailable"
