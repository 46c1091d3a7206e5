"""Bad input and the contract's error answers: 400, 404, 405, 409, 413, 422; nothing recorded."""
from __future__ import annotations

import json

import pytest

from tests.api.api_helpers import PASSWORD, PLAN, TAVOLO, error_body

GOOD_PLAN = {"key": "piano-2025", "title": "Piano di Zona", "ambito": "Ambito di Monza", "period": {"from": 2025, "to": 2027}}


@pytest.fixture
def admin(people, plan_with_tavolo):
    return people.create("admin")


def post_plan(client, admin, **changes):
    payload = {**GOOD_PLAN, **changes}
    return client.post("/api/v1/plans", headers=admin.headers, json={k: v for k, v in payload.items() if v is not ...})


# -- 422: validation, each bad field named -----------------------------------------------------------
@pytest.mark.parametrize("changes, field, message", [
    pytest.param({"key": ...}, "key", "Campo obbligatorio.", id="missing key"),
    pytest.param({"title": ...}, "title", "Campo obbligatorio.", id="missing title"),
    pytest.param({"period": ...}, "period", "Campo obbligatorio.", id="missing period"),
    pytest.param({"colour": "blu"}, "colour", "Campo sconosciuto.", id="unknown field"),
    pytest.param({"status": "approved"}, "status", "Campo sconosciuto.", id="status is not settable"),
    pytest.param({"key": "Piano 2025"}, "key", "Chiave non valida", id="bad key format"),
    pytest.param({"key": "-piano"}, "key", "Chiave non valida", id="key starting with a dash"),
    pytest.param({"key": "p" * 65}, "key", "Chiave non valida", id="key too long"),
    pytest.param({"title": "   "}, "title", "non può essere vuoto", id="title blank after trimming"),
    pytest.param({"title": ""}, "title", "non può essere vuoto", id="title empty"),
    pytest.param({"title": 42}, "title", "Deve essere un testo.", id="title not a string"),
    pytest.param({"title": None}, "title", "nullo", id="title null"),
    pytest.param({"title": "x" * 501}, "title", "al massimo 500", id="title too long"),
    pytest.param({"municipalities": ["Monza", "  "]}, "municipalities", "non può essere vuoto", id="blank list item"),
    pytest.param({"municipalities": "Monza"}, "municipalities", "Deve essere una lista.", id="list expected"),
    pytest.param({"period": {"from": 2027, "to": 2025}}, "period", "precede", id="period to before from"),
    pytest.param({"period": {"from": 2025}}, "period", "Campo obbligatorio.", id="period without to"),
    pytest.param({"period": {"from": "duemila", "to": 2027}}, "period", "numero intero", id="period not a number"),
    pytest.param({"period": {"from": 1900, "to": 2027}}, "period", "maggiore o uguale a 2000", id="period out of range"),
    pytest.param({"period": {"from": 2025, "to": 2027, "mesi": 36}}, "period", "Campo sconosciuto.",
                 id="unknown nested field"),
])
def test_plan_validation(client, runtime, admin, changes, field, message):
    before = runtime.event_position()
    body = error_body(post_plan(client, admin, **changes), 422, "validation_failed")
    assert set(body["details"]) == {field}, body["details"]
    assert message in json.dumps(body["details"][field], ensure_ascii=False)
    assert runtime.event_position() == before
    assert [p["key"] for p in client.get("/api/v1/plans").get_json()] == [PLAN]


def test_period_error_names_the_nested_field(client, admin):
    body = error_body(post_plan(client, admin, period={"from": 2027, "to": 2025}), 422)
    assert body["details"] == {"period": {"to": "L'anno finale precede quello iniziale."}}


def test_every_bad_field_is_named_at_once(client, runtime, admin):
    before = runtime.event_position()
    response = client.post("/api/v1/plans", headers=admin.headers,
                           json={"key": "Non Valida", "title": "  ", "period": {"from": 2030, "to": 2020}, "extra": 1})
    body = error_body(response, 422, "validation_failed")
    assert set(body["details"]) == {"key", "title", "ambito", "period", "extra"}
    assert body["message"] == "Dati non validi: correggere i campi indicati"
    assert runtime.event_position() == before


def test_optional_text_left_blank_is_stored_as_absent(client, admin):
    """A blank optional field (lead_body) is trimmed to nothing, not a 500."""
    response = post_plan(client, admin, lead_body="   ", managing_agency="  Azienda consortile  ")
    assert response.status_code == 201, response.get_json()
    plan = client.get("/api/v1/plans/piano-2025").get_json()
    assert plan["lead_body"] is None
    assert plan["managing_agency"] == "Azienda consortile"


def test_text_is_trimmed(client, admin):
    assert post_plan(client, admin, title="  Piano di Zona  ").status_code == 201
    assert client.get("/api/v1/plans/piano-2025").get_json()["title"] == "Piano di Zona"


@pytest.mark.parametrize("body, field", [
    pytest.param([], "_schema", id="array instead of object"),
    pytest.param("testo", "_schema", id="string instead of object"),
])
def test_json_that_is_not_an_object_is_422(client, runtime, admin, body, field):
    before = runtime.event_position()
    response = error_body(client.post("/api/v1/plans", headers=admin.headers, json=body), 422, "validation_failed")
    assert field in response["details"]
    assert runtime.event_position() == before


@pytest.mark.parametrize("method, path, payload, field, message", [
    ("POST", f"/api/v1/plans/{PLAN}/macro-areas", {"code": "a b", "name": "X"}, "code", "Codice non valido"),
    ("POST", f"/api/v1/plans/{PLAN}/macro-areas", {"code": "B", "name": "X", "key_points": [""]}, "key_points",
     "non può essere vuoto"),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli", {"key": "nuovo", "name": "Nuovo", "macro_areas": ["Z"]}, "macro_areas",
     "Z"),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli", {"key": "nuovo", "name": "Nuovo", "macro_areas": [" "]}, "macro_areas",
     "non può essere vuoto"),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli", {"key": "nuovo", "name": "Nuovo", "organisations": ["ignota"]},
     "organisations", "ignota"),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli", {"key": "nuovo", "name": "Nuovo", "organisations": [" "]},
     "organisations", "non può essere vuoto"),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli", {"key": "Nuovo!", "name": "Nuovo"}, "key", "Chiave non valida"),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", {"user_id": "non-un-uuid"}, "user_id",
     "Identificativo non valido."),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", {}, "user_id", "Campo obbligatorio."),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members",
     {"user_id": "00000000-0000-4000-8000-000000000000", "role": "presidente"}, "role", "Deve essere uno tra"),
    ("POST", "/api/v1/organisations", {"key": "acli", "name": "ACLI", "kind": "club"}, "kind", "Deve essere uno tra"),
    ("POST", "/api/v1/organisations", {"key": "acli", "name": "   ", "kind": "ets"}, "name", "non può essere vuoto"),
    ("PUT", "/api/v1/organisations/caritas", {"name": "Caritas", "kind": "ets", "key": "altra"}, "key",
     "Campo sconosciuto."),
    ("PUT", "/api/v1/organisations/caritas", {"name": "Caritas"}, "kind", "Campo obbligatorio."),
    ("POST", "/api/v1/users", {"email": "non-una-email", "name": "X", "password": PASSWORD}, "email",
     "Indirizzo e-mail non valido."),
    ("POST", "/api/v1/users", {"email": "nuovo@prova.example", "name": "X", "password": "corta"}, "password",
     "almeno 10 caratteri"),
    ("POST", "/api/v1/users", {"email": "nuovo@prova.example", "name": "X", "password": PASSWORD, "role": "re"},
     "role", "Deve essere uno tra"),
    ("POST", "/api/v1/users", {"email": "nuovo@prova.example", "name": "X", "password": PASSWORD,
                               "organisation": "ignota"}, "organisation", "ignota"),
    ("POST", "/api/v1/users", {"email": "nuovo@prova.example", "name": "X", "password": PASSWORD,
                               "organisation": "Non Valida"}, "organisation", "Chiave non valida"),
    ("POST", "/api/v1/users", {"email": "nuovo@prova.example", "name": "X", "password": PASSWORD,
                               "organisation": "   "}, None, None),  # blank optional: accepted
    ("POST", "/api/v1/invitations", {"email": "nuovo@prova.example", "name": "X", "tavolo": TAVOLO}, "plan",
     "Indicare il piano"),
    ("POST", "/api/v1/invitations", {"email": "nuovo@prova.example", "name": "X", "plan": PLAN, "tavolo": TAVOLO,
                                     "role": "admin"}, "role", "Deve essere uno tra"),
    ("POST", "/api/v1/invitations", {"email": "nuovo@prova.example"}, "name", "Campo obbligatorio."),
])
def test_validation_of_every_write(client, runtime, admin, mailbox, method, path, payload, field, message):
    before = runtime.event_position()
    response = client.open(path, method=method, headers=admin.headers, json=payload)
    if field is None:
        assert response.status_code in (200, 201), response.get_json()
        return
    body = error_body(response, 422, "validation_failed")
    assert field in body["details"], body
    assert message in json.dumps(body["details"][field], ensure_ascii=False), body
    assert runtime.event_position() == before
    assert mailbox.to("nuovo@prova.example") == []
    # no half-created person was left: the address is still free
    if path in ("/api/v1/users", "/api/v1/invitations"):
        again = client.post("/api/v1/users", headers=admin.headers,
                            json={"email": "nuovo@prova.example", "name": "Nuovo", "password": PASSWORD})
        assert again.status_code == 201


def test_grant_of_unknown_role_is_422(client, runtime, admin, people):
    person = people.create()
    before = runtime.event_position()
    body = error_body(client.post(f"/api/v1/users/{person.id}/roles", headers=admin.headers, json={"role": "re"}),
                      422, "validation_failed")
    assert set(body["details"]) == {"role"}
    assert runtime.event_position() == before


# -- 400: malformed JSON ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ['{"key": "piano"', "{'key': 'piano'}", "nonjson", '{"key": }'])
def test_malformed_json_is_400(client, runtime, admin, raw):
    before = runtime.event_position()
    response = client.post("/api/v1/plans", headers=admin.headers, data=raw, content_type="application/json")
    body = error_body(response, 400, "malformed_json")
    assert body["message"] == "Il corpo della richiesta non è un JSON valido"
    assert runtime.event_position() == before


def test_malformed_json_on_the_token_endpoint_is_400(client):
    error_body(client.post("/api/v1/auth/token", data="{", content_type="application/json"), 400, "malformed_json")


# -- 413: body too large ---------------------------------------------------------------------------------
def test_body_larger_than_the_limit_is_413(make_app):
    from server.application import SYSTEM
    from server.directory import Directory

    app = make_app(max_request_bytes=512)
    runtime = app.extensions["coprogramma"]
    directory = Directory(runtime)
    admin_id, _ = directory.create_user("admin@prova.example", "Admin", PASSWORD, SYSTEM, role="admin")
    headers = {"Authorization": f"Bearer {directory.issue_token(admin_id)}"}
    client = app.test_client()
    before = runtime.event_position()
    big = {**GOOD_PLAN, "title": "x" * 600}
    body = error_body(client.post("/api/v1/plans", headers=headers, json=big), 413, "too_large")
    assert body["message"] == "Il corpo della richiesta è troppo grande"
    assert runtime.event_position() == before
    assert client.get("/api/v1/plans").get_json() == []
    # under the limit the same request is fine
    assert client.post("/api/v1/plans", headers=headers, json=GOOD_PLAN).status_code == 201
    # also refused before authentication or parsing
    error_body(client.post("/api/v1/auth/token", data="{" + " " * 1000 + "}", content_type="application/json"),
               413, "too_large")


def test_default_limit_is_from_settings(app, settings):
    assert app.config["MAX_CONTENT_LENGTH"] == settings.max_request_bytes


# -- 404: unknown things -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method, path, payload", [
    ("GET", "/api/v1/plans/ignoto", None),
    ("GET", f"/api/v1/plans/ignoto/tavoli/{TAVOLO}", None),
    ("GET", f"/api/v1/plans/{PLAN}/tavoli/ignoto", None),
    ("POST", "/api/v1/plans/ignoto/macro-areas", {"code": "B", "name": "X"}),
    ("POST", "/api/v1/plans/ignoto/tavoli", {"key": "t", "name": "T"}),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli/ignoto/members", {"user_id": "<user>"}),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", {"user_id": "00000000-0000-4000-8000-000000000000"}),
    ("DELETE", f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members/<user>", None),  # not seated
    ("DELETE", f"/api/v1/plans/{PLAN}/tavoli/ignoto/members/<user>", None),
    ("PUT", "/api/v1/organisations/ignota", {"name": "X", "kind": "ets"}),
    ("GET", "/api/v1/users/00000000-0000-4000-8000-000000000000", None),
    ("GET", "/api/v1/users/non-un-id", None),
    ("POST", "/api/v1/users/00000000-0000-4000-8000-000000000000/roles", {"role": "auditor"}),
    ("DELETE", "/api/v1/users/00000000-0000-4000-8000-000000000000/roles/auditor", None),
    ("POST", "/api/v1/invitations", {"email": "n@prova.example", "name": "N", "plan": PLAN, "tavolo": "ignoto"}),
    ("POST", "/api/v1/invitations", {"email": "n@prova.example", "name": "N", "plan": "ignoto", "tavolo": TAVOLO}),
    ("GET", "/api/v1/nessuna-risorsa", None),
])
def test_unknown_things_are_404(client, runtime, admin, people, mailbox, method, path, payload):
    user = people.create()
    path = path.replace("<user>", user.id)
    if payload:
        payload = {k: (user.id if v == "<user>" else v) for k, v in payload.items()}
    before = runtime.event_position()
    response = client.open(path, method=method, headers=admin.headers, json=payload)
    body = error_body(response, 404, "not_found")
    assert body["message"]
    assert runtime.event_position() == before
    assert mailbox.messages() == []


def test_unknown_plan_names_it_in_details(client):
    body = error_body(client.get("/api/v1/plans/ignoto"), 404, "not_found")
    assert body == {"error": "not_found", "message": "Piano sconosciuto", "details": {"plan": "ignoto"}}


# -- 409: conflicts -------------------------------------------------------------------------------------
def test_duplicate_plan_key_is_409(client, runtime, admin):
    assert post_plan(client, admin).status_code == 201
    before = runtime.event_position()
    body = error_body(post_plan(client, admin, title="Un altro titolo"), 409, "conflict")
    assert body["details"] == {"key": "piano-2025"}
    assert runtime.event_position() == before
    assert client.get("/api/v1/plans/piano-2025").get_json()["title"] == "Piano di Zona"


@pytest.mark.parametrize("method, path, payload", [
    ("POST", f"/api/v1/plans/{PLAN}/tavoli", {"key": TAVOLO, "name": "Doppione"}),
    ("POST", f"/api/v1/plans/{PLAN}/macro-areas", {"code": "A", "name": "Doppione"}),
    ("POST", "/api/v1/organisations", {"key": "caritas", "name": "Doppione", "kind": "ets"}),
    ("POST", f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", {"user_id": "<seated>", "role": "member"}),
    ("POST", "/api/v1/users/<admin>/roles", {"role": "admin"}),
    ("DELETE", "/api/v1/users/<seated>/roles/auditor", None),
    ("POST", "/api/v1/users", {"email": "seduto@prova.example", "name": "Doppione", "password": PASSWORD}),
    ("POST", "/api/v1/users", {"email": "Seduto@Prova.Example", "name": "Doppione", "password": PASSWORD}),
    ("POST", "/api/v1/invitations", {"email": "seduto@prova.example", "name": "Doppione"}),
])
def test_conflicts_are_409_and_record_nothing(client, runtime, admin, people, method, path, payload):
    response = client.post("/api/v1/users", headers=admin.headers,
                           json={"email": "seduto@prova.example", "name": "Seduto", "password": PASSWORD})
    seated = response.get_json()["id"]
    assert client.post(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", headers=admin.headers,
                       json={"user_id": seated}).status_code == 200
    path = path.replace("<seated>", seated).replace("<admin>", admin.id)
    if payload:
        payload = {k: (seated if v == "<seated>" else v) for k, v in payload.items()}
    before = runtime.event_position()
    response = client.open(path, method=method, headers=admin.headers, json=payload)
    error_body(response, 409, "conflict")
    assert runtime.event_position() == before


# -- 405 and the error page for browsers ---------------------------------------------------------------
def test_wrong_method_is_405_with_the_error_shape(client):
    error_body(client.put("/api/v1/plans"), 405, "method_not_allowed")


def test_browser_pages_get_an_html_error_page(client):
    response = client.get("/imposta-password/non-valido")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "non è valido" in response.get_data(as_text=True)


def test_anonymous_wrong_method_and_unknown_path_are_405_and_404(client):
    error_body(client.put("/api/v1/plans", json={}), 405, "method_not_allowed")
    error_body(client.post("/api/v1/nessuna-risorsa", json={}), 404, "not_found")
