"""Bad input to the workflow: 422 naming each bad field, 404 for unknown things, nothing recorded; exact money."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.api.api_helpers import error_body, records_nothing
from tests.api.test_workflow_scenario import INCLUSIONE, KEY, encoded, small_document

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def world(client, runtime, people):
    class World:
        pass

    w = World()
    w.admin = people.create("admin")
    response = client.post("/api/v1/plans/import", headers=w.admin.headers, data=encoded(small_document()),
                           content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    w.member = people.seat(people.create(organisation="caritas"), KEY, INCLUSIONE)
    w.coordinator = people.seat(people.create(), KEY, INCLUSIONE, "coordinator")
    proposal = client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=w.member.headers,
                           json={"base_version": 1, "changes": {"context": "Valida"}})
    assert proposal.status_code == 201, proposal.get_data(as_text=True)
    w.proposal_id = proposal.get_json()["id"]
    return w


def exact(response):
    return json.loads(response.get_data(as_text=True), parse_float=Decimal)


def objective(client, ref="A.1"):
    response = client.get(f"/api/v1/plans/{KEY}/objectives/{ref}")
    assert response.status_code == 200
    return exact(response)


# -- proposal bodies -------------------------------------------------------------------------------------------------
AMENDMENTS = [
    pytest.param({"base_version": 1, "changes": {"colour": "blu"}}, ("changes", "colour"), "sconosciuto",
                 id="unknown objective field"),
    pytest.param({"base_version": 1, "changes": {"ref": "A.7"}}, ("changes", "ref"), "sconosciuto",
                 id="identity is not a field"),
    pytest.param({"base_version": 1, "changes": {"co_programmed": {"answer": "forse", "detail": ""}}},
                 ("changes", "co_programmed.answer"), "forse", id="bad enum in an Answer"),
    pytest.param({"base_version": 1, "changes": {"co_designed": {"answer": "yes", "note": "x"}}},
                 ("changes", "co_designed.note"), "sconosciuto", id="unknown key in an Answer"),
    pytest.param({"base_version": 1, "changes": {"budget": {"items": [
        {"label": "Servizio", "amount_eur": Decimal("10.125"), "source": "public"}]}}},
        ("changes", "budget.items[0].amount_eur"), "due decimali", id="amount with 3 decimals"),
    pytest.param({"base_version": 1, "changes": {"budget": {"items": [
        {"label": "Servizio", "amount_eur": "0.10", "source": "public"}]}}},
        ("changes", "budget.items[0].amount_eur"), "numer", id="amount as a string"),
    pytest.param({"base_version": 1, "changes": {"budget": {"items": [
        {"label": "Servizio", "amount_eur": -5, "source": "public"}]}}},
        ("changes", "budget.items[0].amount_eur"), "negativo", id="negative amount"),
    pytest.param({"base_version": 1, "changes": {"budget": {"items": [
        {"label": "Servizio", "amount_eur": 5, "source": "comune"}]}}},
        ("changes", "budget.items[0].source"), "comune", id="bad budget source"),
    pytest.param({"base_version": 1, "changes": {"intervention_kind": ["curative"]}},
                 ("changes", "intervention_kind[0]"), "curative", id="bad enum in a list"),
    pytest.param({"base_version": 1, "changes": {"indicators": [
        {"key": "i1", "kind": "output", "description": "Nuclei"},
        {"key": "i1", "kind": "outcome", "description": "Esiti"}]}},
        ("changes", "indicators[1].key"), "i1", id="repeated indicator key"),
    pytest.param({"base_version": 1, "changes": {"title": "   "}}, ("changes", "title"), "vuoto",
                 id="blank title"),
    pytest.param({"base_version": 1, "changes": {}}, ("changes",), "almeno un campo", id="empty changes"),
    pytest.param({"base_version": 1}, ("changes",), "obbligatorio", id="changes missing"),
    pytest.param({"base_version": 0, "changes": {"context": "x"}}, ("base_version",), "1", id="base_version 0"),
    pytest.param({"base_version": "uno", "changes": {"context": "x"}}, ("base_version",), "intero",
                 id="base_version not a number"),
    pytest.param({"base_version": 2, "changes": {"context": "x"}}, ("base_version",), "versione 1",
                 id="base_version from the future"),
    pytest.param({"changes": {"context": "x"}}, ("base_version",), "obbligatorio", id="base_version missing"),
    pytest.param({"base_version": 1, "changes": {"context": "x"}, "colour": "blu"}, ("colour",), "sconosciuto",
                 id="unknown key at top level"),
]


def detail_at(details: dict, path: tuple):
    value = details
    for key in path:
        assert isinstance(value, dict) and key in value, (path, details)
        value = value[key]
    return value


@pytest.mark.parametrize("payload, path, words", AMENDMENTS)
def test_bad_amendment_is_422_naming_the_field(client, runtime, world, payload, path, words):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=world.member.headers,
                                      json=payload), 422, "validation_failed")
    message = detail_at(body["details"], path)
    assert words.lower() in str(message).lower(), body["details"]
    listed = client.get(f"/api/v1/plans/{KEY}/proposals", headers=world.admin.headers).get_json()
    assert [p["id"] for p in listed] == [world.proposal_id]


def test_every_bad_field_is_named_at_once(client, runtime, world):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=world.member.headers,
                                      json={"base_version": 0, "changes": {
                                          "colour": "blu", "continuity": {"answer": "si"},
                                          "budget": {"items": [{"label": "x", "amount_eur": Decimal("1.001")}]}}}),
                          422, "validation_failed")
    assert set(body["details"]) == {"base_version", "changes"}
    assert set(body["details"]["changes"]) == {"colour", "continuity.answer", "budget.items[0].amount_eur"}


@pytest.mark.parametrize("payload, path", [
    ({"base_version": 1, "changes": {"colour": "blu"}}, ("changes", "colour")),
    ({"base_version": 1, "changes": {}}, ("changes",)),
    ({"base_version": 0, "changes": {"context": "x"}}, ("base_version",)),
    ({"base_version": 9, "changes": {"context": "x"}}, ("base_version",)),
    ({"changes": {"context": "x"}, "extra": True}, ("extra",)),
])
def test_bad_revision_is_422(client, runtime, world, payload, path):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/proposals/{world.proposal_id}/revise", headers=world.member.headers,
                                      json=payload), 422, "validation_failed")
    detail_at(body["details"], path)
    shown = client.get(f"/api/v1/proposals/{world.proposal_id}", headers=world.member.headers).get_json()
    assert shown["changes"] == {"context": "Valida"} and shown["base_version"] == 1


@pytest.mark.parametrize("payload, path", [
    ({"kind": "new_objective", "macro_area": "A", "fields": {"context": "senza titolo"}}, ("fields", "title")),
    ({"kind": "new_objective", "macro_area": "Z", "fields": {"title": "Area ignota"}}, ("macro_area",)),
    ({"kind": "amendment", "macro_area": "A", "fields": {"title": "Tipo sbagliato"}}, ("kind",)),
    ({"macro_area": "A", "fields": {"title": "Senza tipo"}}, ("kind",)),
    ({"kind": "new_objective", "macro_area": "A", "fields": {"title": "X", "colour": "blu"}}, ("fields", "colour")),
    ({"kind": "new_objective", "macro_area": "A", "fields": {"title": "X"}, "ref": "A.5"}, ("ref",)),
])
def test_bad_new_objective_proposal_is_422(client, runtime, world, payload, path):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}/proposals",
                                      headers=world.member.headers, json=payload), 422, "validation_failed")
    detail_at(body["details"], path)


@pytest.mark.parametrize("payload, path", [
    ({"decision": "approva"}, ("decision",)),
    ({"decision": "approved"}, ("decision",)),
    ({}, ("decision",)),
    ({"decision": "approve", "colour": "blu"}, ("colour",)),
])
def test_bad_decision_is_422(client, runtime, world, payload, path):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/proposals/{world.proposal_id}/decision",
                                      headers=world.coordinator.headers, json=payload), 422, "validation_failed")
    detail_at(body["details"], path)
    assert client.get(f"/api/v1/proposals/{world.proposal_id}",
                      headers=world.member.headers).get_json()["status"] == "open"


def test_bad_comment_is_422(client, runtime, world):
    with records_nothing(runtime):
        for payload in ({"text": "   "}, {}, {"text": "ok", "colour": 1}):
            body = error_body(client.post(f"/api/v1/proposals/{world.proposal_id}/comments",
                                          headers=world.member.headers, json=payload), 422, "validation_failed")
            assert set(body["details"]) <= {"text", "colour"} and body["details"]


# -- the plan's lifecycle ------------------------------------------------------------------------------------------
@pytest.fixture
def in_validation(client, world):
    for status in ("co_programming", "validation"):
        assert client.post(f"/api/v1/plans/{KEY}/status", headers=world.admin.headers,
                           json={"status": status}).status_code == 200
    return world


APPROVAL = {"body": "assemblea_dei_sindaci", "act": "Delibera n. 12", "date": "2025-03-14"}


@pytest.mark.parametrize("changes, field", [
    ({"date": "14/03/2025"}, "date"),
    ({"date": "2025-02-30"}, "date"),
    ({"date": "domani"}, "date"),
    ({"date": None}, "date"),
    ({"body": "giunta"}, "body"),
    ({"act": "  "}, "act"),
    ({"extra": "x"}, "extra"),
])
def test_bad_approval_is_422(client, runtime, in_validation, changes, field):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/approval", headers=in_validation.admin.headers,
                                      json={**APPROVAL, **changes}), 422, "validation_failed")
    assert field in body["details"], body["details"]
    assert client.get(f"/api/v1/plans/{KEY}").get_json()["status"] == "validation"


@pytest.mark.parametrize("payload, field", [
    ({"status": "approved"}, "status"),
    ({"status": "bozza"}, "status"),
    ({}, "status"),
])
def test_bad_plan_status_is_422(client, runtime, world, payload, field):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/status", headers=world.admin.headers, json=payload),
                          422, "validation_failed")
    assert field in body["details"]


@pytest.mark.parametrize("payload, field", [
    ({"status": "approved"}, "status"),
    ({"status": "fatto"}, "status"),
])
def test_bad_objective_status_is_422(client, runtime, world, payload, field):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/objectives/A.1/status", headers=world.admin.headers,
                                      json=payload), 422, "validation_failed")
    assert field in body["details"]
    assert objective(client)["status"] == "draft"


@pytest.mark.parametrize("payload, path", [
    ({"ref": "A.5", "macro_area": "A", "tavolo": INCLUSIONE, "fields": {"context": "senza titolo"}},
     ("fields", "title")),
    ({"ref": "A 5", "macro_area": "A", "tavolo": INCLUSIONE, "fields": {"title": "Spazio nel ref"}}, ("ref",)),
    ({"ref": "A.5", "macro_area": "Z", "tavolo": INCLUSIONE, "fields": {"title": "Area ignota"}}, ("macro_area",)),
    ({"ref": "A.5", "macro_area": "A", "tavolo": "ignoto", "fields": {"title": "Tavolo ignoto"}}, ("tavolo",)),
    ({"ref": "A.5", "macro_area": "A", "tavolo": INCLUSIONE,
      "fields": {"title": "X", "budget": {"items": [{"label": "x", "amount_eur": Decimal("0.001")}]}}},
     ("fields", "budget.items[0].amount_eur")),
])
def test_bad_new_objective_is_422(client, runtime, world, payload, path):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/plans/{KEY}/objectives", headers=world.admin.headers, json=payload),
                          422, "validation_failed")
    detail_at(body["details"], path)
    assert [o["ref"] for o in client.get(f"/api/v1/plans/{KEY}").get_json()["objectives"]] == ["A.1", "B.1"]


def test_bad_direct_edit_and_rename_are_422(client, runtime, world):
    with records_nothing(runtime):
        body = error_body(client.patch(f"/api/v1/plans/{KEY}/objectives/A.1", headers=world.admin.headers,
                                       json={"base_version": 1, "changes": {"colour": "blu"}}), 422)
        assert "colour" in body["details"]["changes"]
        body = error_body(client.post(f"/api/v1/plans/{KEY}/objectives/A.1/rename", headers=world.admin.headers,
                                      json={"ref": "con spazi"}), 422)
        assert "ref" in body["details"]
    # renaming onto an existing ref is a conflict, not a rename
    with records_nothing(runtime):
        error_body(client.post(f"/api/v1/plans/{KEY}/objectives/A.1/rename", headers=world.admin.headers,
                               json={"ref": "B.1"}), 409, "conflict")
    assert objective(client)["ref"] == "A.1"


# -- unknown things ------------------------------------------------------------------------------------------------
NOT_FOUND = [
    ("GET", "/api/v1/plans/ignoto/objectives/A.1", None),
    ("GET", f"/api/v1/plans/{KEY}/objectives/Z.9", None),
    ("GET", "/api/v1/plans/ignoto/export", None),
    ("GET", "/api/v1/plans/ignoto/proposals", None),
    ("GET", f"/api/v1/proposals/{UNKNOWN_UUID}", None),
    ("GET", "/api/v1/proposals/non-un-uuid", None),
    ("POST", "/api/v1/plans/ignoto/objectives/A.1/proposals", {"base_version": 1, "changes": {"context": "x"}}),
    ("POST", f"/api/v1/plans/{KEY}/objectives/Z.9/proposals", {"base_version": 1, "changes": {"context": "x"}}),
    ("POST", f"/api/v1/plans/{KEY}/tavoli/ignoto/proposals",
     {"kind": "new_objective", "macro_area": "A", "fields": {"title": "x"}}),
    ("POST", f"/api/v1/proposals/{UNKNOWN_UUID}/comments", {"text": "x"}),
    ("POST", f"/api/v1/proposals/{UNKNOWN_UUID}/support", None),
    ("POST", f"/api/v1/proposals/{UNKNOWN_UUID}/revise", {"base_version": 1, "changes": {"context": "x"}}),
    ("POST", f"/api/v1/proposals/{UNKNOWN_UUID}/withdraw", None),
    ("POST", f"/api/v1/proposals/{UNKNOWN_UUID}/decision", {"decision": "approve"}),
    ("POST", "/api/v1/proposals/non-un-uuid/decision", {"decision": "approve"}),
    ("PATCH", f"/api/v1/plans/{KEY}/objectives/Z.9", {"base_version": 1, "changes": {"context": "x"}}),
    ("POST", f"/api/v1/plans/{KEY}/objectives/Z.9/rename", {"ref": "Z.10"}),
    ("POST", f"/api/v1/plans/{KEY}/objectives/Z.9/status", {"status": "in_discussion"}),
    ("POST", "/api/v1/plans/ignoto/objectives", {"ref": "A.5", "macro_area": "A", "fields": {"title": "x"}}),
    ("POST", "/api/v1/plans/ignoto/status", {"status": "co_programming"}),
    ("POST", "/api/v1/plans/ignoto/approval", APPROVAL),
    ("POST", "/api/v1/plans/ignoto/period", {"to": 2028, "act": "DGR"}),
]


@pytest.mark.parametrize("method, path, payload", NOT_FOUND, ids=[f"{m} {p}" for m, p, _ in NOT_FOUND])
def test_unknown_things_are_404(client, runtime, world, method, path, payload):
    with records_nothing(runtime):
        error_body(client.open(path, method=method, headers=world.admin.headers, json=payload), 404, "not_found")


# -- money stays exact -------------------------------------------------------------------------------------------------
def test_amounts_stay_exact_through_proposal_approval_and_computed_total(client, runtime, world):
    raw = ('{"base_version": 1, "changes": {"budget": {"items": ['
           '{"label": "Prima voce", "amount_eur": 0.1, "source": "public"}, '
           '{"label": "Seconda voce", "amount_eur": 0.2, "source": "private"}], "declared_total_eur": 0.30}}}')
    response = client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=world.member.headers,
                           data=raw, content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    decided = client.post(f"/api/v1/proposals/{response.get_json()['id']}/decision",
                          headers=world.coordinator.headers, json={"decision": "approve"})
    assert decided.status_code == 200
    card = objective(client)
    assert card["computed"]["budget_total_eur"] == Decimal("0.3")
    assert card["computed"]["budget_mismatch_eur"] is None  # 0.30 declared == 0.1 + 0.2 exactly
    assert [item["amount_eur"] for item in card["fields"]["budget"]["items"]] == [Decimal("0.1"), Decimal("0.2")]
    text = client.get(f"/api/v1/plans/{KEY}/objectives/A.1").get_data(as_text=True)
    assert re.search(r'"budget_total_eur":\s*0\.3[,}]', text) and "0.30000000000000004" not in text
    summary = [o for o in client.get(f"/api/v1/plans/{KEY}").get_json()["objectives"] if o["ref"] == "A.1"][0]
    assert summary["budget_mismatch"] is False

    exported = client.get(f"/api/v1/plans/{KEY}/export").get_data(as_text=True)
    assert '"amount_eur": 0.1' in exported and '"amount_eur": 0.2' in exported
    assert '"declared_total_eur": 0.3' in exported and "0.30000000000000004" not in exported


def test_amounts_added_by_two_proposals_sum_exactly(client, runtime, world):
    def approve_budget(items):
        proposal = client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=world.member.headers,
                               json={"base_version": objective(client)["version"],
                                     "changes": {"budget": {"items": items}}})
        assert proposal.status_code == 201, proposal.get_data(as_text=True)
        assert client.post(f"/api/v1/proposals/{proposal.get_json()['id']}/decision",
                           headers=world.coordinator.headers, json={"decision": "approve"}).status_code == 200

    first = [{"label": "Prima voce", "amount_eur": Decimal("0.1"), "source": "public"}]
    approve_budget(first)
    assert objective(client)["computed"]["budget_total_eur"] == Decimal("0.1")
    approve_budget([*first, {"label": "Seconda voce", "amount_eur": Decimal("0.2"), "source": "public"}])
    assert objective(client)["computed"]["budget_total_eur"] == Decimal("0.3")
    # a declared total that differs is kept beside the computed one and flagged
    approve_budget([*first, {"label": "Seconda voce", "amount_eur": Decimal("0.2"), "source": "public"}] +
                   [{"label": "Terza voce", "amount_eur": Decimal("1000000.01"), "source": "pnrr"}])
    card = objective(client)
    assert card["computed"]["budget_total_eur"] == Decimal("1000000.31")


def test_declared_total_mismatch_is_exact(client, runtime, world):
    proposal = client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=world.member.headers,
                           data='{"base_version": 1, "changes": {"budget": {"items": [{"label": "x", '
                                '"amount_eur": 0.1}, {"label": "y", "amount_eur": 0.2}], '
                                '"declared_total_eur": 0.31}}}', content_type="application/json")
    assert proposal.status_code == 201, proposal.get_data(as_text=True)
    assert client.post(f"/api/v1/proposals/{proposal.get_json()['id']}/decision", headers=world.coordinator.headers,
                       json={"decision": "approve"}).status_code == 200
    computed = objective(client)["computed"]
    assert computed["budget_total_eur"] == Decimal("0.3") and computed["budget_mismatch_eur"] == Decimal("0.01")


# -- references inside the fields ----------------------------------------------------------------------------------
UNDECLARED_LEPS = [
    ("POST", f"/api/v1/plans/{KEY}/objectives/A.1/proposals",
     {"base_version": 1, "changes": {"leps": ["pronto-intervento", "inventato"]}}, ("changes", "leps[1]")),
    ("POST", f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}/proposals",
     {"kind": "new_objective", "macro_area": "A", "fields": {"title": "X", "leps": ["inventato"]}}, ("fields", "leps[0]")),
    ("POST", f"/api/v1/plans/{KEY}/objectives",
     {"ref": "A.5", "macro_area": "A", "tavolo": INCLUSIONE, "fields": {"title": "X", "leps": ["inventato"]}},
     ("fields", "leps[0]")),
    ("PATCH", f"/api/v1/plans/{KEY}/objectives/A.1", {"base_version": 1, "changes": {"leps": ["inventato"]}},
     ("changes", "leps[0]")),
]


@pytest.mark.parametrize("method, path, payload, where", UNDECLARED_LEPS, ids=["amendment", "new objective proposal",
                                                                                "create objective", "direct edit"])
def test_a_leps_the_plan_does_not_declare_is_422(client, runtime, world, method, path, payload, where):
    """The plan format requires objectives' LEPS to be declared in the plan: the export of a plan holding
    an undeclared LEPS could not be imported again."""
    with records_nothing(runtime):
        body = error_body(client.open(path, method=method, headers=world.admin.headers, json=payload), 422,
                          "validation_failed")
    assert "inventato" in detail_at(body["details"], where)


def test_a_revision_naming_an_undeclared_leps_is_422(client, runtime, world):
    with records_nothing(runtime):
        body = error_body(client.post(f"/api/v1/proposals/{world.proposal_id}/revise", headers=world.member.headers,
                                      json={"changes": {"leps": ["inventato"]}}), 422, "validation_failed")
    assert "inventato" in body["details"]["changes"]["leps[0]"]


def test_a_declared_leps_is_accepted_and_the_export_stays_importable(client, runtime, world, make_app):
    proposal = client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=world.member.headers,
                           json={"base_version": 1, "changes": {"leps": ["pronto-intervento"],
                                                                "context": "Con il pronto intervento"}})
    assert proposal.status_code == 201, proposal.get_data(as_text=True)
    assert client.post(f"/api/v1/proposals/{proposal.get_json()['id']}/decision", headers=world.coordinator.headers,
                       json={"decision": "approve"}).status_code == 200
    assert objective(client)["fields"]["leps"] == ["pronto-intervento"]
    exported = client.get(f"/api/v1/plans/{KEY}/export").get_data()
    other = make_app()
    from server.directory import Directory
    from tests.conftest import People

    other_runtime = other.extensions["coprogramma"]
    other_admin = People(other_runtime, Directory(other_runtime)).create("admin")
    imported = other.test_client().post("/api/v1/plans/import", headers=other_admin.headers, data=exported,
                                        content_type="application/json")
    assert imported.status_code == 201, imported.get_data(as_text=True)
    assert other.test_client().get(f"/api/v1/plans/{KEY}/export").get_data() == exported
