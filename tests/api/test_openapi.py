"""The published OpenAPI 3.1 document: complete (every route the app serves) and true to the contract."""
from __future__ import annotations

import re

import pytest

DOC = "/api/v1/openapi.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served_operations(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route under /api/v1 and /healthz, read from the URL map."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1/") or rule.rule == "/healthz") or rule.rule == DOC:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            operations.add((path, method.lower()))
    return operations


@pytest.fixture
def doc(client):
    response = client.get(DOC)
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def documented_operations(doc) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item
            if method in {"get", "post", "put", "patch", "delete"}}


def test_is_openapi_3_1(doc):
    assert re.fullmatch(r"3\.1\.\d+", doc["openapi"])
    assert doc["info"]["title"] == "Coprogramma" and doc["info"]["version"] == "1"


def test_is_public(client):
    assert client.get(DOC).status_code == 200  # no credentials needed


def test_every_served_route_is_documented(app, doc):
    served = served_operations(app)
    assert ("/healthz", "get") in served and ("/api/v1/plans", "post") in served  # the walk itself works
    missing = served - documented_operations(doc)
    assert not missing, f"routes served but not in the OpenAPI document: {sorted(missing)}"


def test_nothing_documented_that_is_not_served(app, doc):
    extra = documented_operations(doc) - served_operations(app)
    assert not extra, f"documented but not served: {sorted(extra)}"


def test_path_parameters_are_declared(doc):
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, operation in item.items():
            if method == "parameters":
                continue
            declared = {p["name"] for p in item.get("parameters", []) + operation.get("parameters", [])
                        if p["in"] == "path"}
            assert names <= declared, (path, method, names - declared)


def test_error_schema_is_the_contracts(doc):
    """Errors are {"error", "message", "details"} everywhere, and the document says so."""
    schema = doc["components"]["schemas"]["Error"]
    assert set(schema["properties"]) == {"error", "message", "details"}
    assert set(schema.get("required", [])) == {"error", "message", "details"}
    assert schema["properties"]["details"]["type"] == "object"
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        content = doc["components"]["responses"][name]["content"]["application/json"]["schema"]
        assert content == {"$ref": "#/components/schemas/Error"}


def test_validated_writes_document_422(doc):
    for path, method in [("/api/v1/plans", "post"), ("/api/v1/plans/{key}/tavoli/{tavolo}/members", "post"),
                         ("/api/v1/organisations", "post"), ("/api/v1/invitations", "post"),
                         ("/api/v1/auth/token", "post")]:
        assert "422" in doc["paths"][path][method]["responses"], (path, method)


def _schema(doc, ref_or_schema):
    if "$ref" in ref_or_schema:
        return doc["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[-1]]
    return ref_or_schema


def _response_schema(doc, path, method, status):
    response = doc["paths"][path][method]["responses"][status]
    return _schema(doc, response["content"]["application/json"]["schema"])


def test_token_operation_matches_the_contract(doc):
    operation = doc["paths"]["/api/v1/auth/token"]["post"]
    body = _schema(doc, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {"email", "password"}
    answer = _response_schema(doc, "/api/v1/auth/token", "post", "200")
    assert {"token", "user"} <= set(answer["properties"])
    user = _schema(doc, answer["properties"]["user"])
    assert {"id", "email", "name", "organisation", "roles"} <= set(user["properties"])
    assert "401" in operation["responses"]


def test_plan_creation_documents_its_body(doc):
    body = _schema(doc, doc["paths"]["/api/v1/plans"]["post"]["requestBody"]["content"]["application/json"]["schema"])
    assert {"key", "title", "ambito", "period"} <= set(body["required"])
    assert "201" in doc["paths"]["/api/v1/plans"]["post"]["responses"]


def test_member_operation_documents_the_roles(doc):
    operation = doc["paths"]["/api/v1/plans/{key}/tavoli/{tavolo}/members"]["post"]
    body = _schema(doc, operation["requestBody"]["content"]["application/json"]["schema"])
    assert body["properties"]["role"]["enum"] == ["member", "coordinator"]
    assert "user_id" in body["required"]


@pytest.mark.parametrize("path, fields", [
    ("/api/v1/plans", {"key", "title", "ambito", "period", "status"}),
    ("/healthz", {"ok", "position", "projection_position"}),
])
def test_read_operations_document_the_contract_fields(doc, path, fields):
    schema = _response_schema(doc, path, "get", "200")
    if schema.get("type") == "array":
        schema = _schema(doc, schema["items"])
    assert fields <= set(schema["properties"])


@pytest.mark.parametrize("path, fields", [
    ("/api/v1/plans/{key}", {"key", "title", "ambito", "period", "status", "macro_areas", "tavoli", "objectives"}),
    ("/api/v1/plans/{key}/tavoli/{tavolo}", {"key", "name", "macro_areas", "coordinators", "members"}),
])
def test_plan_and_tavolo_reads_document_the_contract_fields(doc, path, fields):
    schema = _response_schema(doc, path, "get", "200")
    assert fields <= set(schema["properties"])


def test_security_schemes_are_published(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
