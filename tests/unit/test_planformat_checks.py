"""Objective checks (budget, completeness) and validation of a proposal's field changes."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from server.planformat import (REQUIRED_FOR_APPROVAL, Document, budget_mismatch, budget_total, completeness,
                               is_placeholder, load_document, validate_objective_fields)

DEMO = Path(__file__).resolve().parents[2] / "demo"


def budget(*amounts, declared=None) -> dict:
    items = [{"label": f"voce {i}", "amount_eur": amount} for i, amount in enumerate(amounts)]
    return {"budget": {"items": items, "declared_total_eur": declared}}


def complete_objective() -> dict:
    return {
        "title": "Presidio di prossimità", "context": "Quartieri ERP", "goals": ["Ridurre l'isolamento"],
        "actions": ["Tutor condominiali"], "target": ["Nuclei fragili"],
        "budget": {"items": [{"label": "Tutor", "amount_eur": Decimal("415000")}]},
        "expected_results": "120 nuclei accompagnati", "co_programmed": {"answer": "yes"},
        "indicators": [{"key": "i1", "kind": "output", "description": "N. nuclei"}],
    }


# --- budget -------------------------------------------------------------------------------------------
def test_budget_total_is_exact():
    parsed = json.loads('{"budget": {"items": [{"label": "a", "amount_eur": 0.1}, {"label": "b", "amount_eur": 0.2},'
                        '{"label": "c", "amount_eur": null}]}}', parse_float=Decimal)
    assert budget_total(parsed) == Decimal("0.3")
    assert str(budget_total(parsed)) == "0.3"
    assert budget_total(budget(0.1, 0.2)) == Decimal("0.3")  # floats converted via their repr
    assert budget_total(budget(Decimal("99870.89"), 124838, Decimal("83623.43"))) == Decimal("308332.32")


def test_budget_total_none_without_amounts():
    assert budget_total({}) is None
    assert budget_total(budget(None, None)) is None
    assert budget_total(budget(None, Decimal("0"))) == Decimal("0")


def test_budget_mismatch():
    assert budget_mismatch(budget(Decimal("600"), Decimal("300.50"), declared=Decimal("1000"))) == Decimal("99.50")
    assert budget_mismatch(budget(Decimal("0.1"), Decimal("0.2"), declared=Decimal("0.30"))) is None
    assert budget_mismatch(budget(Decimal("5"))) is None
    assert budget_mismatch(budget(None, declared=Decimal("48000"))) is None


def test_budget_mismatch_in_the_crema_plan():
    doc = load_document((DEMO / "crema-2025-2027.json").read_bytes())
    fields = {o["ref"]: Document.objective_fields(o) for o in doc.objectives}
    assert budget_mismatch(fields["CREMA-J"]) == Decimal("-750000.00")
    assert budget_mismatch(fields["CREMA-F"]) == Decimal("5000.00")
    assert budget_mismatch(fields["CREMA-DE"]) is None
    assert budget_total(fields["CREMA-DE"]) == Decimal("4042451.36")


# --- completeness -------------------------------------------------------------------------------------
def test_complete_objective_has_nothing_missing():
    assert completeness(complete_objective()) == {"missing": [], "placeholders": []}


def test_empty_objective_misses_every_required_field():
    assert completeness({}) == {"missing": list(REQUIRED_FOR_APPROVAL), "placeholders": []}
    assert {"title", "context", "goals", "actions", "target", "budget", "expected_results", "indicators",
            "co_programmed"} <= set(REQUIRED_FOR_APPROVAL)


def test_empty_values_and_null_answers_are_missing():
    fields = complete_objective() | {"context": "  ", "goals": [], "actions": [""], "indicators": [],
                                     "co_programmed": {"answer": None, "detail": "forse"},
                                     "budget": {"items": [{"label": "Fondo Povertà", "amount_eur": None}]}}
    assert completeness(fields)["missing"] == ["context", "goals", "actions", "budget", "indicators",
                                               "co_programmed"]
    declared_only = complete_objective() | {"budget": {"items": [], "declared_total_eur": Decimal("48000")}}
    assert completeness(declared_only)["missing"] == []


def test_placeholders_are_flagged_by_field():
    fields = complete_objective() | {
        "expected_results": "Presenza/Assenza Protocollo con i Servizi Socio-Sanitari (?)",
        "budget": {"items": [{"label": "Fondo Povertà € – info da Vivi", "amount_eur": Decimal("1")}]},
        "goals": ["…"],
        "co_programmed": {"answer": "yes", "detail": "SI/NO"},
        "premial_project": {"answer": "no", "detail": "→ cercare progetti premiali"},
        "context": "Contesto lungo […] ripreso dal documento",  # an elision is not a placeholder
    }
    result = completeness(fields)
    assert result["missing"] == []
    assert result["placeholders"] == ["goals", "budget", "premial_project", "co_programmed", "expected_results"]


@pytest.mark.parametrize("text, expected", [
    ("Associazioni di Categoria (?)", True), ("SI/NO (se sì, quali)", True), ("FNPS € – info da Vivi", True),
    ("Modalità da definire", True), ("Importo XXX", True), ("…", True), ("...", True), ("-", True),
    ("Int. 1: importo da inserire", True), ("In.t uno da inserire", True),
    ("Personale sociale da inserire nell'équipe di valutazione", False),
    ("Sostegno al reddito […] e accompagnamento", False), ("Sì, tutte le aree", False), ("DGR XII/2089", False),
])
def test_is_placeholder(text, expected):
    assert is_placeholder(text) is expected


def test_demo_placeholders_are_found():
    doc = load_document((DEMO / "crema-2025-2027.json").read_bytes())
    result = completeness(Document.objective_fields(doc.objective("CREMA-A")))
    assert result == {"missing": [], "placeholders": ["expected_results", "indicators"]}


# --- validate_objective_fields ------------------------------------------------------------------------
def test_valid_partial_changes_are_cleaned():
    clean, problems = validate_objective_fields({
        "context": "  Nuovo contesto ", "goals": [], "expected_impact": "",
        "budget": {"items": [{"label": "Voce", "amount_eur": 0.1, "source": "public"}], "declared_total_eur": None},
        "co_designed": {"answer": "partly", "detail": ""},
    })
    assert problems == []
    assert clean == {"context": "Nuovo contesto", "goals": None, "expected_impact": None,
                     "budget": {"items": [{"label": "Voce", "amount_eur": Decimal("0.1"), "source": "public"}]},
                     "co_designed": {"answer": "partly"}}


def test_invalid_partial_changes_give_paths():
    clean, problems = validate_objective_fields({
        "ref": "B.2", "title": "", "context": "ok",
        "budget": {"items": [{"amount_eur": Decimal("1.005")}]},
        "co_programmed": {"answer": "maybe"},
        "indicators": [{"key": "i1", "kind": "output", "description": "a"},
                       {"key": "i1", "kind": "process", "description": "b"}],
    })
    assert {p["path"] for p in problems} == {
        "$.ref", "$.title", "$.budget.items[0].label", "$.budget.items[0].amount_eur",
        "$.co_programmed.answer", "$.indicators[1].key"}
    assert clean == {"context": "ok"}


def test_full_validation_requires_title():
    _, problems = validate_objective_fields({"context": "c"}, partial=False)
    assert problems == [{"path": "$.title", "message": "Campo obbligatorio."}]
    assert validate_objective_fields({"context": "c"}) == ({"context": "c"}, [])
    assert validate_objective_fields(["x"])[1] == [{"path": "$", "message":
                                                     "Tipo di dato non valido: è atteso un oggetto JSON."}]
