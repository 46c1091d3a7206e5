"""The ``coprogramma/plan@1`` interchange format: validation, normalisation, canonical dump, checks.

Pure Python (marshmallow only, no Flask, no database, no I/O): the importer, the JSON export and the
API's proposal validation build on it. Shared spec: plan-format.md.

    doc = load_document(raw_bytes)        # raises PlanFormatError(problems=[{"path", "message"}, ...])
    text = dumps(doc)                     # canonical JSON, exact decimals
    clean, problems = validate_objective_fields({"budget": {...}})
    completeness(Document.objective_fields(doc.objectives[0]))
"""
from __future__ import annotations

from server.planformat.checks import (REQUIRED_FOR_APPROVAL, budget_mismatch, budget_total, completeness,
                                      is_placeholder)
from server.planformat.dump import dump_document, dumps
from server.planformat.problems import PlanFormatError
from server.planformat.schema import (FORMAT, OBJECTIVE_FIELDS, OBJECTIVE_IDENTITY, DocumentSchema,
                                      ObjectiveFieldsSchema, validate_objective_fields)
from server.planformat.validate import Document, load_document, parse_json, validate_document

__all__ = [
    "FORMAT", "OBJECTIVE_FIELDS", "OBJECTIVE_IDENTITY", "REQUIRED_FOR_APPROVAL",
    "Document", "DocumentSchema", "ObjectiveFieldsSchema", "PlanFormatError",
    "budget_mismatch", "budget_total", "completeness", "dump_document", "dumps", "is_placeholder",
    "load_document", "parse_json", "validate_document", "validate_objective_fields",
]
