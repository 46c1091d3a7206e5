"""Pure checks over an objective's fields dict (the card; extra keys such as ``ref`` are ignored).

Approval-required fields (:data:`REQUIRED_FOR_APPROVAL`) are *missing* when:
text → absent or blank; list → absent, empty or only blank elements; Answer → absent or with
``answer`` null (a detail alone does not answer the question); ``budget`` → no amount at all
(neither an item amount nor ``declared_total_eur``: the regional model asks for an amount, "anche
approssimativo"); ``indicators`` → no indicator.

A field holds a *placeholder* when some text inside it (at any depth: list elements, an Answer's
detail, budget labels, indicator descriptions...) matches :data:`PLACEHOLDER_PATTERNS`: the marks
that real plans leave while still being written ("(?)", "SI/NO" copied from the template,
"info da Vivi", "importo da inserire", "da definire", "XXX", a text that is only "…" or "-", a
"→ cercare ..." note to self). Every field of the card is scanned for placeholders, not only the
required ones. The "[…]" of a quotation that was shortened is not a placeholder.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from server.planformat.schema import OBJECTIVE_FIELDS
from server.planformat.valuefields import to_decimal

REQUIRED_FOR_APPROVAL = ("title", "context", "goals", "actions", "target", "budget",
                         "expected_results", "indicators", "co_programmed")
ANSWER_FIELDS = frozenset({
    "cross_policy", "asst_in_planning", "asst_in_delivery", "other_ambiti", "continuity",
    "premial_project", "co_programmed", "co_designed", "other_actors", "innovative_models",
    "digitalisation"})

PLACEHOLDER_PATTERNS = (
    re.compile(r"\(\s*\?+\s*\)"),                                  # "(?)"
    re.compile(r"\?\?"),                                           # "??"
    re.compile(r"\bS[IÌÍ]\s*/\s*NO\b", re.IGNORECASE),             # template "SI/NO" left as is
    re.compile(r"\binfo(rmazioni)?\s+da\b", re.IGNORECASE),        # "info da Vivi"
    re.compile(r"\bda\s+(definire|completare|compilare)\b", re.IGNORECASE),
    # "importo da inserire", "Int. uno da inserire" (but not "personale da inserire nell'équipe")
    re.compile(r"\b(importi|importo|dati|dato|valori|valore|cifra)\s+da\s+(inserire|indicare|quantificare)\b",
               re.IGNORECASE),
    re.compile(r"\bda\s+inserire\W*$", re.IGNORECASE),
    re.compile(r"\b(x{3,}|tbd|todo)\b", re.IGNORECASE),            # "XXX", "TBD", "TODO"
    re.compile(r"^\s*[.…\-–—_/*?]+\s*$"),                            # only dots, dashes, "…"
    re.compile(r"^\s*(→|->)"),                                     # "→ cercare progetti premiali"
)


def is_placeholder(text: str) -> bool:
    """Whether a text still holds a placeholder (see :data:`PLACEHOLDER_PATTERNS`)."""
    return any(pattern.search(text) for pattern in PLACEHOLDER_PATTERNS)


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _amounts(fields: Mapping) -> list[Decimal]:
    budget = fields.get("budget") or {}
    items = budget.get("items") or []
    amounts = (to_decimal(item.get("amount_eur")) for item in items if isinstance(item, Mapping))
    return [amount for amount in amounts if amount is not None]


def budget_total(fields: Mapping) -> Decimal | None:
    """Exact sum of the budget items' amounts; None when no item has an amount."""
    amounts = _amounts(fields)
    return sum(amounts, Decimal(0)) if amounts else None


def budget_mismatch(fields: Mapping) -> Decimal | None:
    """``declared_total_eur`` minus the computed total, when both exist and differ; else None."""
    declared = to_decimal((fields.get("budget") or {}).get("declared_total_eur"))
    total = budget_total(fields)
    if declared is None or total is None or declared == total:
        return None
    return declared - total


def _is_missing(key: str, value) -> bool:
    if value is None:
        return True
    if key in ANSWER_FIELDS:
        return not isinstance(value, Mapping) or value.get("answer") is None
    if key == "budget":
        declared = to_decimal((value or {}).get("declared_total_eur"))
        return declared is None and budget_total({"budget": value}) is None
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(isinstance(item, str) and not item.strip() for item in value)
    return value == {}


def completeness(fields: Mapping) -> dict:
    """``{"missing": [...], "placeholders": [...]}``: field keys, in the order of the card."""
    missing = [key for key in REQUIRED_FOR_APPROVAL if _is_missing(key, fields.get(key))]
    placeholders = [key for key in OBJECTIVE_FIELDS
                    if key in fields and any(is_placeholder(text) for text in _texts(fields[key]))]
    return {"missing": missing, "placeholders": placeholders}
