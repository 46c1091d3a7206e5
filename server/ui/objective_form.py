"""The "Proponi modifica" form: an objective card as plain form values, and back.

`to_model(fields)` gives the strings a form shows (lists one item per line, amounts in Italian
notation, one blank row to add a budget item, an indicator, a target, a PNRR measure);
`read_model(form)` reads them back from a submitted form; `to_fields(model)` turns them into
card fields (typed, blank rows dropped). `changed_fields` compares a submission with the card as
the form showed it, so a field the person did not touch is never part of the proposal.
"""
from __future__ import annotations

import re

from server.planformat.checks import ANSWER_FIELDS
from server.ui.form_values import amount, compact, indexed_rows, lines, number_or_text, show_number, split, year
from server.planformat.schema import OBJECTIVE_FIELDS

SHORT_TEXT = ("title",)
TEXTS = ("context", "third_sector_involvement", "delivery_modes", "expected_results", "expected_impact")
LISTS = ("goals", "actions", "target", "staff", "key_points", "needs", "leps", "bes")
ANSWERS = tuple(f for f in OBJECTIVE_FIELDS if f in ANSWER_FIELDS)
BUDGET_ITEM = ("label", "amount_eur", "source")
INDICATOR = ("key", "kind", "description", "unit", "baseline", "source", "responsible")
TARGET = ("year", "value", "note")
PNRR = ("measure", "amount_eur", "target", "partners")


def kind_of(name: str) -> str:
    for kind, names in (("short", SHORT_TEXT), ("text", TEXTS), ("list", LISTS), ("answer", ANSWERS)):
        if name in names:
            return kind
    return name  # budget, service_novelty, need_kind, intervention_kind, indicators, pnrr


# -- card → form -----------------------------------------------------------------------------------
def to_model(fields: dict) -> dict:
    model: dict = {}
    for name in OBJECTIVE_FIELDS:
        value = fields.get(name)
        kind = kind_of(name)
        if kind in ("short", "text"):
            model[name] = value or ""
        elif kind == "list":
            model[name] = lines(value)
        elif kind == "answer":
            value = value or {}
            model[name] = {"answer": value.get("answer") or "", "detail": value.get("detail") or ""}
            if name == "cross_policy":
                model[name]["areas"] = lines(value.get("areas"))
        elif name == "budget":
            value = value or {}
            items = [{"label": i.get("label") or "", "amount_eur": show_number(i.get("amount_eur")),
                      "source": i.get("source") or ""} for i in value.get("items") or []]
            model[name] = {"items": items + [dict.fromkeys(BUDGET_ITEM, "")],
                           "declared_total_eur": show_number(value.get("declared_total_eur"))}
        elif name == "service_novelty":
            model[name] = {"kinds": list((value or {}).get("kinds") or []), "detail": (value or {}).get("detail") or ""}
        elif name == "need_kind":
            model[name] = {"kind": (value or {}).get("kind") or "", "detail": (value or {}).get("detail") or ""}
        elif name == "intervention_kind":
            model[name] = list(value or [])
        elif name == "indicators":
            model[name] = [_indicator_model(i) for i in value or []] + [_indicator_model({})]
        elif name == "pnrr":
            rows = [{"measure": m.get("measure") or "", "amount_eur": show_number(m.get("amount_eur")),
                     "target": m.get("target") or "", "partners": "; ".join(m.get("partners") or [])}
                    for m in value or []]
            model[name] = rows + [dict.fromkeys(PNRR, "")]
    return model


def _indicator_model(indicator: dict) -> dict:
    row = {key: show_number(indicator.get(key)) if key == "baseline" else (indicator.get(key) or "")
           for key in INDICATOR}
    row["targets"] = [{"year": str(t.get("year") or ""), "value": show_number(t.get("value")),
                       "note": t.get("note") or ""} for t in indicator.get("targets") or []]
    row["targets"].append(dict.fromkeys(TARGET, ""))
    return row


# -- form → model ------------------------------------------------------------------------------
def read_model(form) -> dict:
    """The model from a submitted form (a werkzeug MultiDict)."""
    model: dict = {}
    for name in OBJECTIVE_FIELDS:
        kind = kind_of(name)
        if kind in ("short", "text", "list"):
            model[name] = form.get(name, "")
        elif kind == "answer":
            model[name] = {"answer": form.get(f"{name}.answer", ""), "detail": form.get(f"{name}.detail", "")}
            if name == "cross_policy":
                model[name]["areas"] = form.get(f"{name}.areas", "")
        elif name == "budget":
            model[name] = {"items": [_drop_i(r) for r in indexed_rows(form, "budget.items", BUDGET_ITEM)],
                           "declared_total_eur": form.get("budget.declared_total_eur", "")}
        elif name == "service_novelty":
            model[name] = {"kinds": form.getlist(f"{name}.kinds"), "detail": form.get(f"{name}.detail", "")}
        elif name == "need_kind":
            model[name] = {"kind": form.get(f"{name}.kind", ""), "detail": form.get(f"{name}.detail", "")}
        elif name == "intervention_kind":
            model[name] = form.getlist(name)
        elif name == "indicators":
            rows = indexed_rows(form, "indicators", INDICATOR)
            for row in rows:
                row["targets"] = [_drop_i(t) for t in indexed_rows(form, f"indicators.{row['_i']}.targets", TARGET)]
            model[name] = [_drop_i(r) for r in rows]
        elif name == "pnrr":
            model[name] = [_drop_i(r) for r in indexed_rows(form, "pnrr", PNRR)]
    return model


def _drop_i(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "_i"}


# -- model → fields ----------------------------------------------------------------------------
def to_fields(model: dict) -> tuple[dict, dict]:
    """(fields, errors): card values (None = empty field) and the form's own notation errors."""
    fields, errors = {}, {}
    for name in OBJECTIVE_FIELDS:
        if name not in model:
            continue
        kind, value = kind_of(name), model[name]
        if kind in ("short", "text"):
            result = value.strip() or None
        elif kind == "list":
            result = split(value) or None
        elif kind == "answer":
            result = compact({"answer": value.get("answer") or None, "detail": value.get("detail", "").strip(),
                               "areas": split(value.get("areas", ""))})
        elif name == "budget":
            items = []
            for i, row in enumerate(value["items"]):
                if not any(str(v).strip() for v in row.values()):
                    continue
                items.append(compact({"label": row["label"].strip(),
                                       "amount_eur": amount(row["amount_eur"], f"budget.items.{i}.amount_eur", errors),
                                       "source": row["source"] or None}) | {"label": row["label"].strip()})
            result = compact({"items": items, "declared_total_eur": amount(
                value["declared_total_eur"], "budget.declared_total_eur", errors)})
        elif name in ("service_novelty", "need_kind"):
            result = compact({k: (v.strip() if isinstance(v, str) else v) for k, v in value.items()})
        elif name == "intervention_kind":
            result = list(value) or None
        elif name == "indicators":
            result = [_indicator(i, row, errors) for i, row in enumerate(value) if _filled(row)]
            taken = {ind["key"] for ind in result if ind["key"]}
            for n, indicator in enumerate(result, start=1):
                if not indicator["key"]:  # a new indicator: give it a free code
                    while f"ind-{n}" in taken:
                        n += 1
                    indicator["key"] = f"ind-{n}"
                    taken.add(indicator["key"])
        elif name == "pnrr":
            result = [compact({"measure": row["measure"].strip(),
                                "amount_eur": amount(row["amount_eur"], f"pnrr.{i}.amount_eur", errors),
                                "target": row["target"].strip(),
                                "partners": [p.strip() for p in row["partners"].split(";") if p.strip()]})
                      | {"measure": row["measure"].strip()}
                      for i, row in enumerate(value) if _filled(row)]
        fields[name] = result or None
    return fields, errors


def _filled(row: dict) -> bool:
    for value in row.values():
        if isinstance(value, str):
            if value.strip():
                return True
        elif _filled_targets(value):
            return True
    return False


def _filled_targets(targets) -> bool:
    return any(str(v).strip() for t in targets for v in t.values())


def _indicator(i: int, row: dict, errors: dict) -> dict:
    targets = [compact({"year": year(t["year"], f"indicators.{i}.targets.{j}.year", errors),
                         "value": number_or_text(t["value"]), "note": t["note"].strip()})
               for j, t in enumerate(row["targets"]) if any(v.strip() for v in t.values())]
    indicator = {"key": row["key"].strip(), "kind": row["kind"] or None, "description": row["description"].strip(),
                 "unit": row["unit"] or None, "baseline": number_or_text(row["baseline"]),
                 "targets": targets, "source": row["source"].strip(), "responsible": row["responsible"].strip()}
    return compact(indicator) | {k: indicator[k] for k in ("key", "kind", "description")}


def changed_fields(current: dict, form) -> tuple[dict, dict, dict]:
    """(changes, model, errors): the fields whose submitted value differs from the card as shown."""
    shown, _ = to_fields(to_model(current))
    model = read_model(form)
    submitted, errors = to_fields(model)
    changes = {name: submitted[name] for name in OBJECTIVE_FIELDS if submitted.get(name) != shown.get(name)}
    return changes, model, errors


def problem_key(path: str) -> str:
    """'$.budget.items[0].amount_eur' → 'budget.items.0.amount_eur' (the form's input name)."""
    return re.sub(r"\[(\d+)\]", r".\1", path.removeprefix("$").lstrip("."))
