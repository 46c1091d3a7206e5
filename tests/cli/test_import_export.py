"""Import and export of whole plans (`coprogramma/plan@1`), through the API and the `coprogramma` command.

Both demo plans are imported; export → import into an empty instance → export is byte-identical; the
import records the file's name and SHA-256; a broken document is refused whole, with the JSON path of
every problem, and records nothing; a renamed objective is followed by the evaluations that name it.
"""
from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
import simplejson
from click.testing import CliRunner
from sqlalchemy import select

from server.cli import main
from server.config import Settings
from server.projections.plans import PlanRow
from server.runtime import Runtime

DEMO = Path(__file__).resolve().parents[2] / "demo"
CREMA, CREMONA = "crema-2025-2027", "cremona-2025-2027"
DEMO_PLANS = [CREMA, CREMONA]


def demo_bytes(key: str) -> bytes:
    return (DEMO / f"{key}.json").read_bytes()


def demo_document(key: str) -> dict:
    return json.loads(demo_bytes(key), parse_float=Decimal)


def as_bytes(document: dict) -> bytes:
    return simplejson.dumps(document, use_decimal=True, ensure_ascii=False, indent=1).encode()


def exact(response):
    return json.loads(response.get_data(as_text=True), parse_float=Decimal)


# -- API ---------------------------------------------------------------------------------------------------------------
@pytest.fixture
def admin(people):
    return people.create("admin", name="Giulia Ufficio di Piano")


@pytest.fixture
def empty_instance(make_settings):
    """A second, empty instance (own event store and read models) with its own admin."""
    from server.directory import Directory
    from server.factory import create_app
    from tests.conftest import People

    app = create_app(make_settings("empty"), start_projector=False, config={"TESTING": True})
    runtime = app.extensions["coprogramma"]
    admin = People(runtime, Directory(runtime)).create("admin")

    class Empty:
        pass

    empty = Empty()
    empty.app, empty.runtime, empty.client, empty.admin = app, runtime, app.test_client(), admin
    yield empty
    runtime.close()


def api_import(client, admin, raw: bytes, filename: str | None = None):
    query = f"?filename={filename}" if filename else ""
    return client.post(f"/api/v1/plans/import{query}", headers=admin.headers, data=raw,
                       content_type="application/json")


def source_of(runtime, key: str) -> dict | None:
    with runtime.sessions() as session:
        return session.scalars(select(PlanRow.source).where(PlanRow.key == key)).one()


def test_api_imports_both_demo_plans_and_records_file_name_and_sha256(client, runtime, admin):
    for key in DEMO_PLANS:
        raw = demo_bytes(key)
        response = api_import(client, admin, raw, filename=f"{key}.json")
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.get_json() == {"key": key, "position": runtime.event_position()}
        source = source_of(runtime, key)
        assert source["file_name"] == f"{key}.json"
        assert source["sha256"] == hashlib.sha256(raw).hexdigest()
        assert source["format"] == "coprogramma/plan@1" and source["by"] == admin.id
        document = demo_document(key)
        plan = client.get(f"/api/v1/plans/{key}").get_json()
        assert plan["status"] == "drafting" and plan["title"] == document["plan"]["title"]
        assert [o["ref"] for o in plan["objectives"]] == [o["ref"] for o in document["objectives"]]
        assert [(o["macro_area"], o["tavolo"]) for o in plan["objectives"]] == [
            (o["macro_area"], o.get("tavolo")) for o in document["objectives"]]
        assert [t["key"] for t in plan["tavoli"]] == [t["key"] for t in document["tavoli"]]
        assert [a["code"] for a in plan["macro_areas"]] == [a["code"] for a in document["macro_areas"]]
        first = document["objectives"][0]
        card = exact(client.get(f"/api/v1/plans/{key}/objectives/{first['ref']}"))
        assert card["version"] == 1 and card["status"] == "draft"
        assert card["fields"]["title"] == first["title"]
    assert sorted(p["key"] for p in client.get("/api/v1/plans").get_json()) == sorted(DEMO_PLANS)


def test_api_import_without_a_file_name_records_a_default_one(client, runtime, admin):
    raw = demo_bytes(CREMA)
    assert api_import(client, admin, raw).status_code == 201
    source = source_of(runtime, CREMA)
    assert source["file_name"] and source["sha256"] == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("key", DEMO_PLANS)
def test_api_round_trip_into_an_empty_instance_is_byte_identical(client, admin, empty_instance, key):
    assert api_import(client, admin, demo_bytes(key)).status_code == 201
    first = client.get(f"/api/v1/plans/{key}/export")
    assert first.status_code == 200 and first.mimetype == "application/json"
    exported = first.get_data()
    # the export holds the demo document's content (canonical form: same data, exact numbers)
    assert json.loads(exported, parse_float=Decimal) == canonical(demo_document(key))

    again = api_import(empty_instance.client, empty_instance.admin, exported, filename=f"{key}-export.json")
    assert again.status_code == 201, again.get_data(as_text=True)
    second = empty_instance.client.get(f"/api/v1/plans/{key}/export").get_data()
    assert second == exported
    # the same plan: same listing, same objectives with the same fields (ids are the instance's own)
    def listing(c):
        return [{k: v for k, v in o.items() if k != "id"} for o in c.get(f"/api/v1/plans/{key}").get_json()["objectives"]]

    assert listing(empty_instance.client) == listing(client)


def canonical(document: dict) -> dict:
    """The demo document as the canonical dump writes it: integral amounts as integers, no empty values."""
    def clean(value):
        if isinstance(value, dict):
            out = {k: clean(v) for k, v in value.items()}
            return {k: v for k, v in out.items() if v not in (None, "", [], {})}
        if isinstance(value, list):
            return [clean(v) for v in value if clean(v) not in (None, "")]
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        return value

    return clean(document)


def test_api_import_of_an_existing_key_is_409_and_records_nothing(client, runtime, admin):
    assert api_import(client, admin, demo_bytes(CREMA)).status_code == 201
    before = runtime.event_position()
    response = api_import(client, admin, demo_bytes(CREMA), filename="di-nuovo.json")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict" and body["details"] == {"key": CREMA}
    assert runtime.event_position() == before
    assert source_of(runtime, CREMA)["file_name"] == "caricamento-api.json"


def broken_crema() -> tuple[dict, dict]:
    """The Crema demo with one problem of each kind; returns (document, {path: words in the message})."""
    document = demo_document(CREMA)
    document["objectives"][0]["colour"] = "blu"
    document["organisations"][0]["kind"] = "cooperativa"
    document["objectives"][1]["tavolo"] = "tavolo-ignoto"
    document["evaluations"][0]["reproposed_as"] = ["CREMA-ZZZ"]
    document["objectives"][2]["budget"] = {"items": [
        {"label": "Somma in virgola mobile", "amount_eur": Decimal("0.30000000000000004"), "source": "public"}]}
    document["objectives"][3]["co_programmed"] = {"answer": "forse"}
    expected = {
        "$.objectives[0].colour": "colour",
        "$.organisations[0].kind": "cooperativa",
        "$.objectives[1].tavolo": "tavolo-ignoto",
        "$.evaluations[0].reproposed_as[0]": "CREMA-ZZZ",
        "$.objectives[2].budget.items[0].amount_eur": "decimali",
        "$.objectives[3].co_programmed.answer": "forse",
    }
    return document, expected


def test_api_refuses_a_broken_document_whole_with_every_path(client, runtime, admin):
    admin  # noqa: B018 - the admin exists before the log is measured
    before = runtime.event_position()
    document, expected = broken_crema()
    response = api_import(client, admin, as_bytes(document), filename="rotto.json")
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "validation_failed" and set(body) == {"error", "message", "details"}
    assert set(body["details"]) == set(expected)
    for path, words in expected.items():
        assert words in body["details"][path], (path, body["details"][path])
    assert runtime.event_position() == before
    assert client.get("/api/v1/plans").get_json() == []
    assert client.get(f"/api/v1/plans/{CREMA}").status_code == 404
    # organisations of the document were not registered either
    assert "csc" not in [o["key"] for o in client.get("/api/v1/organisations").get_json()]
    # and the repaired document imports
    assert api_import(client, admin, demo_bytes(CREMA)).status_code == 201


@pytest.mark.parametrize("raw, path", [
    (b"{\"format\": ", "$"),
    (b"[]", "$"),
    ("{\"format\": \"coprogramma/plan@2\"}".encode(), "$.format"),
])
def test_api_refuses_what_is_not_a_plan_document(client, runtime, admin, raw, path):
    admin  # noqa: B018
    before = runtime.event_position()
    response = api_import(client, admin, raw)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert path in response.get_json()["details"]
    assert runtime.event_position() == before and client.get("/api/v1/plans").get_json() == []


RENAMES = {CREMA: ("CREMA-A", "CREMA-A-POVERTA"), CREMONA: ("H", "H-LAVORO")}


@pytest.mark.parametrize("key", DEMO_PLANS)
def test_renamed_objective_is_followed_by_the_evaluations_in_the_export(client, admin, empty_instance, key):
    old, new = RENAMES[key]
    assert api_import(client, admin, demo_bytes(key)).status_code == 201
    before = exact(client.get(f"/api/v1/plans/{key}/export"))
    naming = [e["ref"] for e in before["evaluations"] if old in e.get("reproposed_as", [])]
    assert naming, f"the demo has no evaluation reproposed as {old}"

    renamed = client.post(f"/api/v1/plans/{key}/objectives/{old}/rename", headers=admin.headers, json={"ref": new})
    assert renamed.status_code == 200, renamed.get_data(as_text=True)
    assert renamed.get_json()["ref"] == new

    after_response = client.get(f"/api/v1/plans/{key}/export")
    after = exact(after_response)
    expected = copy.deepcopy(before)
    for objective in expected["objectives"]:
        if objective["ref"] == old:
            objective["ref"] = new
    for evaluation in expected["evaluations"]:
        if "reproposed_as" in evaluation:
            evaluation["reproposed_as"] = [new if ref == old else ref for ref in evaluation["reproposed_as"]]
    assert after == expected
    assert all(old not in e.get("reproposed_as", []) for e in after["evaluations"])
    assert [e["ref"] for e in after["evaluations"] if new in e.get("reproposed_as", [])] == naming

    # the renamed plan survives the round trip as well
    assert api_import(empty_instance.client, empty_instance.admin, after_response.get_data()).status_code == 201
    assert empty_instance.client.get(f"/api/v1/plans/{key}/export").get_data() == after_response.get_data()


# -- the `coprogramma` command -------------------------------------------------------------------------------------------
@pytest.fixture
def instances(tmp_path, monkeypatch):
    """Point COPROGRAMMA_INSTANCE at a named instance folder (created on first use)."""
    monkeypatch.setenv("COPROGRAMMA_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("COPROGRAMMA_DATABASE_URL", raising=False)

    def use(name: str) -> Path:
        folder = tmp_path / name
        monkeypatch.setenv("COPROGRAMMA_INSTANCE", str(folder))
        return folder

    use("cli-instance")  # not the folder of the `app` fixture (tmp_path / "instance")
    return use


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def read_instance(reader):
    runtime = Runtime(Settings.from_env())
    try:
        return reader(runtime)
    finally:
        runtime.close()


def plan_keys(runtime) -> list[str]:
    with runtime.sessions() as session:
        return sorted(session.scalars(select(PlanRow.key)))


def test_cli_imports_both_demo_plans_and_records_file_name_and_sha256(instances):
    for key in DEMO_PLANS:
        result = invoke("import", DEMO / f"{key}.json")
        assert result.exit_code == 0, result.output
        assert key in result.output
    sources = read_instance(lambda rt: {key: source_of(rt, key) for key in DEMO_PLANS})
    for key in DEMO_PLANS:
        assert sources[key]["file_name"] == f"{key}.json"
        assert sources[key]["sha256"] == hashlib.sha256(demo_bytes(key)).hexdigest()
        assert sources[key]["by"] == "system"
    assert read_instance(plan_keys) == sorted(DEMO_PLANS)


def test_cli_import_attributes_to_an_admin_given_by_email(instances):
    assert invoke("users", "create", "--email", "ufficio@prova.example", "--name", "Ufficio",
                  "--password", "password-lunga-abbastanza", "--role", "admin").exit_code == 0
    result = invoke("import", DEMO / f"{CREMA}.json", "--as", "ufficio@prova.example")
    assert result.exit_code == 0, result.output
    source = read_instance(lambda rt: source_of(rt, CREMA))
    assert source["by"] != "system" and source["file_name"] == f"{CREMA}.json"


@pytest.mark.parametrize("key", DEMO_PLANS)
def test_cli_round_trip_into_an_empty_instance_is_byte_identical(instances, tmp_path, key):
    assert invoke("import", DEMO / f"{key}.json").exit_code == 0
    first = tmp_path / f"{key}-1.json"
    assert invoke("export", key, "--output", first).exit_code == 0
    stdout = invoke("export", key)
    assert stdout.exit_code == 0 and stdout.stdout.encode() == first.read_bytes()

    instances("empty")
    assert read_instance(plan_keys) == []
    result = invoke("import", first)
    assert result.exit_code == 0, result.output
    second = tmp_path / f"{key}-2.json"
    assert invoke("export", key, "--output", second).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    source = read_instance(lambda rt: source_of(rt, key))
    assert source["file_name"] == first.name
    assert source["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()


def test_cli_and_api_exports_agree(instances, tmp_path, client, admin):
    assert invoke("import", DEMO / f"{CREMONA}.json").exit_code == 0
    by_cli = tmp_path / "cli.json"
    assert invoke("export", CREMONA, "--output", by_cli).exit_code == 0
    assert api_import(client, admin, demo_bytes(CREMONA)).status_code == 201
    assert client.get(f"/api/v1/plans/{CREMONA}/export").get_data() == by_cli.read_bytes()


def test_cli_refuses_a_broken_document_whole_with_every_path(instances, tmp_path):
    document, expected = broken_crema()
    broken = tmp_path / "rotto.json"
    broken.write_bytes(as_bytes(document))
    result = invoke("import", broken)
    assert result.exit_code == 2
    assert "nulla è stato importato" in result.stderr
    assert f"({len(expected)} problemi)" in result.stderr
    for path, words in expected.items():
        line = next((line for line in result.stderr.splitlines() if line.strip().startswith(f"{path}:")), None)
        assert line is not None and words in line, (path, result.stderr)
    assert read_instance(lambda rt: rt.event_position()) == 0
    assert read_instance(plan_keys) == []


def test_cli_import_of_an_existing_key_is_refused_and_records_nothing(instances):
    assert invoke("import", DEMO / f"{CREMA}.json").exit_code == 0
    before = read_instance(lambda rt: rt.event_position())
    result = invoke("import", DEMO / f"{CREMA}.json")
    assert result.exit_code == 2 and "Esiste già un piano" in result.stderr and CREMA in result.stderr
    assert read_instance(lambda rt: rt.event_position()) == before


def test_cli_export_of_an_unknown_plan_fails(instances):
    result = invoke("export", "ignoto")
    assert result.exit_code == 2 and "Piano sconosciuto" in result.stderr
