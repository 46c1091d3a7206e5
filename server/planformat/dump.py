"""Canonical JSON of a plan document.

Canonical rule (load → dump → load → dump gives byte-identical ``dumps`` output):

* keys appear in the order of the spec (the declaration order of :mod:`server.planformat.schema`);
  keys the format does not know are not written;
* strings are trimmed; an optional key whose value is null, an empty string, an empty list or an
  object that itself ends up empty (e.g. an Answer ``{"answer": null, "detail": ""}``) is omitted.
  Required keys are always written (``macro_areas`` and ``objectives`` even when empty);
* numbers are exact: an integral value is written as an integer (``415000.00`` → ``415000``), any
  other as the shortest exact decimal (``415000.50`` → ``415000.5``), never through a float.
  :func:`dump_document` returns ints and normalised Decimals; :func:`dumps` writes them as JSON
  numbers (2-space indentation, UTF-8 characters kept, newline at the end).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from marshmallow import Schema, fields

from server.planformat.schema import DocumentSchema
from server.planformat.validate import Document
from server.planformat.valuefields import is_empty, to_decimal


def _number(value):
    number = to_decimal(value)
    if not number.is_finite():
        raise ValueError(f"numero non finito: {value}")
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def _scalar(value):
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (bool, type(None))):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _number(value)
    raise TypeError(f"valore non rappresentabile in JSON: {type(value).__name__}")


def _value(field: fields.Field, value):
    if value is None:
        return None
    if isinstance(field, fields.Nested):
        return _object(field.schema, value)
    if isinstance(field, fields.List):
        return [item for item in (_value(field.inner, v) for v in value) if item is not None]
    return _scalar(value)


def _object(schema: Schema, data: Mapping) -> dict:
    out = {}
    for name, field in schema.fields.items():
        if name in data:
            value = _value(field, data[name])
            if not is_empty(value) or (field.required and value is not None):
                out[name] = value
    return out


def dump_document(doc: Document | Mapping) -> dict:
    """The canonical JSON-ready dict of a document (a :class:`Document` or an equivalent dict)."""
    data = doc.as_dict() if isinstance(doc, Document) else doc
    return _object(DocumentSchema(), data)


def _write(value, indent: str, out: list[str]) -> None:
    inner = indent + "  "
    if isinstance(value, dict) and value:
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + "\n" + inner + json.dumps(key, ensure_ascii=False) + ": ")
            _write(item, inner, out)
        out.append("\n" + indent + "}")
    elif isinstance(value, list) and value:
        out.append("[")
        for i, item in enumerate(value):
            out.append(("," if i else "") + "\n" + inner)
            _write(item, inner, out)
        out.append("\n" + indent + "]")
    elif isinstance(value, Decimal):
        out.append(format(value, "f"))  # exact digits, no exponent, no float on the way
    elif isinstance(value, float):
        raise TypeError("i numeri del documento devono essere Decimal o int, non float")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps(doc: Document | Mapping) -> str:
    """Canonical JSON text of a document (see the module docstring)."""
    out: list[str] = []
    _write(dump_document(doc), "", out)
    return "".join(out) + "\n"
