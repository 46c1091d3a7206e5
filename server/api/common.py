"""Small helpers for the API views: the runtime, read-your-writes, visibility of names."""
from __future__ import annotations

from flask import current_app
from marshmallow import Schema

from server.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["coprogramma"]


def done(position: int, **payload) -> dict:
    """Answer a write once the read models reflect it, so a following GET sees the change."""
    runtime().wait_for_write(position)
    return {**payload, "position": position}


class AuditQuery(Schema):
    """Query parameters of the audit reads, parsed with `unknown=RAISE`: a misspelt one is refused, not
    ignored (an auditor's typo would otherwise silently give the unfiltered history or today's plan)."""

    error_messages = {"unknown": "Parametro sconosciuto."}

