"""Load a ``coprogramma/plan@1`` document: parse, validate, check references, collect every problem.

``load_document`` never stops at the first problem: shape problems (marshmallow) and uniqueness /
reference problems (:mod:`server.planformat.refs`) are all collected, sorted by path, and raised
together in one :class:`PlanFormatError`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from marshmallow import ValidationError

from server.planformat.problems import PlanFormatError, from_marshmallow, problem
from server.planformat.refs import document_problems
from server.planformat.schema import FORMAT, OBJECTIVE_IDENTITY, DocumentSchema


@dataclass(frozen=True)
class Document:
    """A valid plan document. Values are JSON-like: dicts, lists, str, int, Decimal (never float).

    Objectives are flat dicts as in the format (``ref``, ``macro_area``, ``tavolo`` and the card
    fields); :meth:`objective_fields` gives the card alone. Optional keys holding nothing are absent.
    """
    plan: dict
    macro_areas: list[dict]
    objectives: list[dict]
    organisations: list[dict] = field(default_factory=list)
    tavoli: list[dict] = field(default_factory=list)
    leps: list[dict] = field(default_factory=list)
    evaluations: list[dict] = field(default_factory=list)
    format: str = FORMAT

    def objective(self, ref: str) -> dict | None:
        return next((objective for objective in self.objectives if objective["ref"] == ref), None)

    @staticmethod
    def objective_fields(objective: dict) -> dict:
        """The objective card: everything but ``ref``, ``macro_area`` and ``tavolo``."""
        return {key: value for key, value in objective.items() if key not in OBJECTIVE_IDENTITY}

    def as_dict(self) -> dict:
        return asdict(self)


def parse_json(data: bytes | str):
    """Parse JSON text keeping numbers exact (Decimal); raise PlanFormatError if it is not JSON."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PlanFormatError([problem("$", f"Il documento non è testo UTF-8 valido "
                                                f"(byte {error.start}).")]) from None
    try:
        # NaN / Infinity become Decimal specials, which the schema refuses at their own path.
        return json.loads(data, parse_float=Decimal, parse_constant=Decimal)
    except json.JSONDecodeError as error:
        raise PlanFormatError([problem("$", f"Il documento non è un JSON valido: errore alla riga "
                                            f"{error.lineno}, colonna {error.colno}.")]) from None
    except (ValueError, RecursionError):
        raise PlanFormatError([problem("$", "Il documento non è un JSON valido.")]) from None


def validate_document(data) -> tuple[dict | None, list[dict]]:
    """Validate already-parsed data: ``(clean, problems)``; ``clean`` is None when there are problems."""
    problems = document_problems(data)
    try:
        clean = DocumentSchema().load(data)
    except ValidationError as error:
        clean, problems = None, from_marshmallow(error.messages) + problems
    if problems:
        return None, PlanFormatError(problems).problems
    return clean, []


def load_document(data: bytes | str | dict) -> Document:
    """Parse (bytes/str) and validate a plan document; raise :class:`PlanFormatError` on any problem.

    A dict is validated as is: parse JSON with ``parse_float=Decimal`` (as :func:`parse_json` does);
    floats are still accepted and converted exactly from their shortest representation.
    """
    if isinstance(data, (bytes, bytearray, str)):
        data = parse_json(data)
    clean, problems = validate_document(data)
    if problems:
        raise PlanFormatError(problems)
    return Document(**clean)
