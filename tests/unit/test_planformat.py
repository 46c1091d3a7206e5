"""The coprogramma/plan@1 format: loading, every problem at its exact path, canonical dump."""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from server.planformat import (FORMAT, OBJECTIVE_FIELDS, Document, PlanFormatError, dump_document, dumps,
                               load_document, parse_json, validate_document)
from server.planformat import labels

DEMO = Path(__file__).resolve().parents[2] / "demo"
DEMOS = ["cremona-2025-2027.json", "crema-2025-2027.json"]


def minimal() -> dict:
    return {
        "format": FORMAT,
        "plan": {"key": "esempio-2025-2027", "ambito": "Ambito di esempio", "title": "Piano di Zona 2025-2027",
                 "period": {"from": 2025, "to": 2027}, "lead_body": "Comune capofila"},
        "macro_areas": [{"code": "B", "name": "POLITICHE ABITATIVE", "key_points": ["Qualità dell'abitare"]}],
        "organisations": [{"key": "caritas", "name": "Caritas diocesana", "kind": "ets"}],
        "tavoli": [{"key": "abitare", "name": "Tavolo Abitare", "macro_areas": ["B"], "members": ["caritas"]}],
        "leps": [{"code": "dimissioni-protette", "name": "Servizi sociali per le dimissioni protette"}],
        "objectives": [{
            "ref": "B.1", "macro_area": "B", "tavolo": "abitare", "title": "Presidio sociale di prossimità",
            "budget": {"items": [{"label": "Tutor condominiali", "amount_eur": Decimal("415000.50"),
                                  "source": "public"}], "declared_total_eur": None},
            "co_programmed": {"answer": "yes", "detail": ""},
            "leps": ["dimissioni-protette"],
            "indicators": [{"key": "i1", "kind": "output", "description": "N. nuclei", "unit": "count",
                            "baseline": None, "targets": [{"year": 2027, "value": 120}]}],
        }],
        "evaluations": [{"ref": "Abitare 2021", "title": "Abitare", "reproposed_as": ["B.1"]}],
    }


def problems_of(data) -> list[dict]:
    with pytest.raises(PlanFormatError) as caught:
        load_document(data)
    return caught.value.problems


def paths(data) -> dict[str, str]:
    return {p["path"]: p["message"] for p in problems_of(data)}


# --- the real plans ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DEMOS)
def test_demo_documents_are_valid(name):
    raw = (DEMO / name).read_bytes()
    clean, problems = validate_document(parse_json(raw))
    assert problems == []
    doc = load_document(raw)
    assert doc.format == FORMAT and doc.plan["key"] == name.removesuffix(".json")
    amounts = [item["amount_eur"] for o in doc.objectives for item in o.get("budget", {}).get("items", [])
               if "amount_eur" in item]
    assert amounts and all(type(amount) is Decimal for amount in amounts)


@pytest.mark.parametrize("name", DEMOS)
def test_demo_round_trip_is_byte_identical(name):
    raw = (DEMO / name).read_bytes()
    first = dumps(load_document(raw))
    second = dumps(load_document(first))
    assert first == second
    assert load_document(first) == load_document(raw)  # nothing lost on the way


def test_exact_amounts_survive_load_and_dump():
    doc = load_document((DEMO / "crema-2025-2027.json").read_bytes())
    assert doc.objective("CREMA-DE")["budget"]["declared_total_eur"] == Decimal("4042451.36")
    text = dumps(doc)
    assert '"declared_total_eur": 4042451.36' in text
    assert '"declared_total_eur": 4750503.9\n' in text     # 4750503.90: same value, canonical digits
    assert '"amount_eur": 110000,' in text                  # 110000.00 is integral


def test_dumps_writes_decimals_without_float():
    data = minimal()
    data["objectives"][0]["indicators"][0]["targets"] = [{"year": 2026, "value": Decimal("0.12345678901234567891")}]
    text = dumps(load_document(dumps(data)))
    assert '"value": 0.12345678901234567891' in text        # a float would give 0.12345678901234568
    assert '"amount_eur": 415000.5' in text


def test_canonical_dump_omits_empty_optional_keys_and_orders_keys():
    data = minimal()
    data["plan"]["managing_agency"] = "  "
    data["tavoli"][0]["members"] = []
    data["objectives"][0]["co_designed"] = {"answer": None, "detail": ""}
    data["objectives"][0] = dict(reversed(list(data["objectives"][0].items())))
    out = dump_document(load_document(data))
    objective = out["objectives"][0]
    assert list(objective)[:4] == ["ref", "macro_area", "tavolo", "title"]
    assert list(objective) == ["ref", "macro_area", "tavolo"] + [k for k in OBJECTIVE_FIELDS if k in objective]
    assert objective["co_programmed"] == {"answer": "yes"}
    assert "co_designed" not in objective and "managing_agency" not in out["plan"]
    assert "members" not in out["tavoli"][0]
    assert objective["budget"] == {"items": [{"label": "Tutor condominiali", "amount_eur": Decimal("415000.5"),
                                              "source": "public"}]}
    assert objective["indicators"][0] == {"key": "i1", "kind": "output", "description": "N. nuclei",
                                          "unit": "count", "targets": [{"year": 2027, "value": 120}]}
    assert out["macro_areas"] and list(out)[0] == "format"


def test_strings_are_trimmed_and_floats_become_exact_decimals():
    data = minimal()
    data["plan"]["title"] = "  Piano di Zona  "
    data["objectives"][0]["budget"]["items"][0]["amount_eur"] = 0.1  # e.g. from request.get_json()
    doc = load_document(data)
    assert doc.plan["title"] == "Piano di Zona"
    assert doc.objectives[0]["budget"]["items"][0]["amount_eur"] == Decimal("0.1")


# --- problems at exact paths ---------------------------------------------------------------------------
def test_unknown_keys_top_level_and_nested():
    data = minimal()
    data["colour"] = "red"
    data["objectives"][0]["notes"] = "x"
    data["objectives"][0]["budget"]["items"][0]["vat"] = 22
    found = paths(data)
    assert set(found) == {"$.colour", "$.objectives[0].notes", "$.objectives[0].budget.items[0].vat"}
    assert "«notes»" in found["$.objectives[0].notes"] and "sconosciuto" in found["$.objectives[0].notes"]


def test_bad_enumerations():
    data = minimal()
    data["organisations"][0]["kind"] = "banca"
    data["objectives"][0]["indicators"][0]["kind"] = "impact"
    data["objectives"][0]["co_programmed"]["answer"] = "si"
    data["objectives"][0]["intervention_kind"] = ["preventive", "curative"]
    found = paths(data)
    assert set(found) == {"$.organisations[0].kind", "$.objectives[0].indicators[0].kind",
                          "$.objectives[0].co_programmed.answer", "$.objectives[0].intervention_kind[1]"}
    assert found["$.organisations[0].kind"].startswith("Valore «banca» non ammesso")
    assert "yes, no, partly" in found["$.objectives[0].co_programmed.answer"]


def test_unknown_references():
    data = minimal()
    data["objectives"][0]["macro_area"] = "Z"
    data["objectives"][0]["tavolo"] = "lavoro"
    data["objectives"][0]["leps"] = ["dimissioni-protette", "pua"]
    data["tavoli"][0]["members"] = ["caritas", "acli"]
    data["tavoli"][0]["macro_areas"] = ["B", "Q"]
    data["evaluations"][0]["reproposed_as"] = ["B.9"]
    found = paths(data)
    assert found == {
        "$.objectives[0].macro_area": "Macro-area «Z» non dichiarata in $.macro_areas.",
        "$.objectives[0].tavolo": "Tavolo «lavoro» non dichiarato in $.tavoli.",
        "$.objectives[0].leps[1]": "LEPS «pua» non dichiarato in $.leps.",
        "$.tavoli[0].members[1]": "Organizzazione «acli» non dichiarata in $.organisations.",
        "$.tavoli[0].macro_areas[1]": "Macro-area «Q» non dichiarata in $.macro_areas.",
        "$.evaluations[0].reproposed_as[0]": "Obiettivo «B.9» non presente in $.objectives di questo piano.",
    }


def test_duplicates_are_reported_at_the_repetition():
    data = minimal()
    data["objectives"].append(copy.deepcopy(data["objectives"][0]))
    data["objectives"][1]["ref"] = " B.1 "  # trimmed before comparing
    data["macro_areas"].append({"code": "B", "name": "Altro"})
    data["organisations"].append({"key": "caritas", "name": "Caritas", "kind": "diocesi"})
    data["tavoli"].append({"key": "abitare", "name": "Altro tavolo"})
    data["leps"].append({"code": "dimissioni-protette", "name": "Doppione"})
    data["objectives"][0]["indicators"].append({"key": "i1", "kind": "outcome", "description": "Bis"})
    found = paths(data)
    assert set(found) == {"$.objectives[1].ref", "$.macro_areas[1].code", "$.organisations[1].key",
                          "$.tavoli[1].key", "$.leps[1].code", "$.objectives[0].indicators[1].key"}
    assert "$.objectives[0].ref" in found["$.objectives[1].ref"]


def test_amounts_with_three_decimals_or_not_numbers():
    data = minimal()
    budget = data["objectives"][0]["budget"]
    budget["items"] += [{"label": "b", "amount_eur": "abc"}, {"label": "c", "amount_eur": True},
                        {"label": "d", "amount_eur": Decimal("1.500")}, {"label": "e", "amount_eur": -5}]
    budget["items"][0]["amount_eur"] = Decimal("415000.505")
    budget["declared_total_eur"] = "1000"
    data["objectives"][0]["pnrr"] = [{"measure": "M5C2 1.3.1 Housing First", "amount_eur": Decimal("0.001")}]
    found = paths(data)
    items = "$.objectives[0].budget.items"
    assert set(found) == {f"{items}[0].amount_eur", f"{items}[1].amount_eur", f"{items}[2].amount_eur",
                          f"{items}[4].amount_eur", "$.objectives[0].budget.declared_total_eur",
                          "$.objectives[0].pnrr[0].amount_eur"}  # 1.500 has only one decimal: fine
    assert found[f"{items}[0].amount_eur"].lower() == "importo con più di due decimali."
    assert found["$.objectives[0].pnrr[0].amount_eur"].lower() == "importo con più di due decimali."
    assert "numero" in found[f"{items}[1].amount_eur"] and "numero" in found[f"{items}[2].amount_eur"]
    assert "negativo" in found[f"{items}[4].amount_eur"]


def test_amount_text_with_three_decimals_from_json_text():
    text = json.dumps(minimal(), default=str).replace('"415000.50"', "12.345")
    assert paths(text) == {"$.objectives[0].budget.items[0].amount_eur": "Importo con più di due decimali."}


def test_wrong_format_and_plan_key():
    data = minimal()
    data["format"] = "coprogramma/plan@2"
    data["plan"]["key"] = "Esempio 2025"
    found = paths(data)
    assert set(found) == {"$.format", "$.plan.key"}
    assert "coprogramma/plan@1" in found["$.format"]


@pytest.mark.parametrize("text", [b'{"format": "coprogramma/plan@1",', "non è json", b"\xff\xfe{}"])
def test_invalid_json_is_one_problem_at_root(text):
    problems = problems_of(text)
    assert len(problems) == 1 and problems[0]["path"] == "$"
    assert "JSON" in problems[0]["message"] or "UTF-8" in problems[0]["message"]


def test_required_fields_and_empty_strings():
    data = minimal()
    del data["plan"]["lead_body"]
    data["objectives"][0]["title"] = "   "
    data["objectives"][0]["goals"] = ["ok", ""]
    data["macro_areas"][0]["name"] = None
    found = paths(data)
    assert found == {"$.plan.lead_body": "Campo obbligatorio.",
                     "$.objectives[0].title": "Campo obbligatorio: non può essere vuoto.",
                     "$.objectives[0].goals[1]": "Campo obbligatorio: non può essere vuoto.",
                     "$.macro_areas[0].name": "Il campo non può essere nullo."}


def test_every_problem_is_reported_together():
    data = minimal()
    data["format"] = "plan"
    data["extra"] = True
    data["plan"]["period"] = {"from": 2027, "to": 2025}
    data["organisations"][0]["kind"] = "banca"
    data["objectives"][0]["macro_area"] = "Z"
    data["objectives"][0]["budget"]["items"][0]["amount_eur"] = Decimal("1.999")
    data["objectives"][0]["indicators"][0]["unit"] = "kg"
    data["objectives"][0]["indicators"][0]["targets"][0]["year"] = Decimal("2025.0")
    data["evaluations"][0]["achievement"] = {"band": "40-60"}
    data["evaluations"][0]["reproposed_as"] = ["X"]
    problems = problems_of(data)
    assert [p["path"] for p in problems] == [  # sorted by path, children after parents
        "$.evaluations[0].achievement.band", "$.evaluations[0].reproposed_as[0]", "$.extra", "$.format",
        "$.objectives[0].budget.items[0].amount_eur", "$.objectives[0].indicators[0].targets[0].year",
        "$.objectives[0].indicators[0].unit", "$.objectives[0].macro_area", "$.organisations[0].kind",
        "$.plan.period.to"]


def test_not_an_object():
    assert paths("[]") == {"$": "Tipo di dato non valido: è atteso un oggetto JSON."}
    assert set(paths({"format": FORMAT})) == {"$.plan", "$.macro_areas", "$.objectives"}


# --- labels ------------------------------------------------------------------------------------------
def test_every_objective_field_has_its_regional_label():
    assert list(labels.OBJECTIVE_LABELS) == list(OBJECTIVE_FIELDS)
    assert labels.OBJECTIVE_LABELS["goals"] == "QUALI OBIETTIVI VUOLE RAGGIUNGERE"
    assert labels.ANSWER == {"yes": "Sì", "no": "No", "partly": "In parte"}
    assert labels.enum_label("intervention_kind", "remedial") == "Riparativo"


def test_document_objective_fields_excludes_identity():
    doc = load_document(minimal())
    fields = Document.objective_fields(doc.objective("B.1"))
    assert "ref" not in fields and "macro_area" not in fields and "tavolo" not in fields
    assert fields["title"] == "Presidio sociale di prossimità"
