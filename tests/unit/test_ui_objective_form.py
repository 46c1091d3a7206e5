"""The "Proponi modifica" form: card → form values → card, Italian numbers, only touched fields change."""
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from server.ui.form_values import parse_number, show_number
from server.ui.objective_form import changed_fields, problem_key, to_model

CARD = {"title": "Titolo", "goals": ["uno", "due"],
        "budget": {"items": [{"label": "Voce", "amount_eur": Decimal("131169.74"), "source": "public"}],
                   "declared_total_eur": Decimal("126169.74")},
        "co_programmed": {"answer": "yes", "detail": "Tavolo"},
        "indicators": [{"key": "i1", "kind": "output", "description": "N. nuclei", "unit": "count",
                        "targets": [{"year": 2027, "value": Decimal("120")}]}]}


def as_form(model: dict) -> MultiDict:
    form = MultiDict()
    for name, value in model.items():
        if isinstance(value, str):
            form.add(name, value)
        elif name == "intervention_kind":
            for v in value:
                form.add(name, v)
        elif name == "budget":
            for i, row in enumerate(value["items"]):
                for k, v in row.items():
                    form.add(f"budget.items.{i}.{k}", v)
            form.add("budget.declared_total_eur", value["declared_total_eur"])
        elif name in ("indicators", "pnrr"):
            for i, row in enumerate(value):
                for k, v in row.items():
                    if k == "targets":
                        for j, t in enumerate(v):
                            for kk, vv in t.items():
                                form.add(f"{name}.{i}.targets.{j}.{kk}", vv)
                    else:
                        form.add(f"{name}.{i}.{k}", v)
        elif name == "service_novelty":
            for v in value["kinds"]:
                form.add(f"{name}.kinds", v)
            form.add(f"{name}.detail", value["detail"])
        else:
            for k, v in value.items():
                form.add(f"{name}.{k}", v)
    return form


def test_an_untouched_form_changes_nothing():
    changes, _, errors = changed_fields(CARD, as_form(to_model(CARD)))
    assert changes == {} and errors == {}


def test_only_the_touched_fields_change_with_italian_numbers():
    form = as_form(to_model(CARD))
    form["budget.items.1.label"] = "Nuova voce"
    form["budget.items.1.amount_eur"] = "5.000,50"
    form["goals"] = "uno\ndue\ntre"
    changes, _, errors = changed_fields(CARD, form)
    assert errors == {}
    assert set(changes) == {"budget", "goals"}
    assert changes["goals"] == ["uno", "due", "tre"]
    assert changes["budget"]["items"][1] == {"label": "Nuova voce", "amount_eur": Decimal("5000.50")}


def test_clearing_a_field_and_errors_named_like_the_inputs():
    form = as_form(to_model(CARD))
    form["co_programmed.answer"], form["co_programmed.detail"] = "", ""
    form["budget.items.0.amount_eur"] = "tanti"
    changes, _, errors = changed_fields(CARD, form)
    assert changes["co_programmed"] is None
    assert "budget.items.0.amount_eur" in errors
    assert problem_key("$.indicators[0].targets[1].year") == "indicators.0.targets.1.year"


def test_numbers():
    assert parse_number("1.500") == Decimal("1500")
    assert parse_number("12,5") == Decimal("12.5")
    assert parse_number("12500.50") == Decimal("12500.50")
    assert parse_number("€ 1.000,00") == Decimal("1000.00")
    assert parse_number("abc") is None
    assert show_number(Decimal("99870.89")) == "99870,89" and show_number(Decimal("124838")) == "124838"
