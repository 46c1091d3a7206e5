"""The acceptance scenario of the co-programming workflow, through the public API alone (bearer tokens).

An admin imports a plan and seats people; members propose, support and comment; a coordinator
decides; stale proposals conflict (same field) or are rebased (other fields); the plan goes to
validation and is approved by an act; the export holds exactly the approved changes.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
import simplejson

from tests.api.api_helpers import error_body, records_nothing

KEY = "piano-accettazione"
INCLUSIONE, ABITARE = "inclusione", "abitare"
PROPOSAL_FIELDS = {"id", "plan", "objective_ref", "base_version", "changes", "rationale", "author", "organisation",
                   "status", "comments", "supporters", "decision"}


def small_document(key: str = KEY) -> dict:
    """A small, valid and canonical `coprogramma/plan@1` document (what the export writes back)."""
    return {
        "format": "coprogramma/plan@1",
        "plan": {"key": key, "ambito": "Ambito di prova", "title": "Piano di Zona 2025-2027 di prova",
                 "period": {"from": 2025, "to": 2027}, "lead_body": "Comune capofila",
                 "municipalities": ["Capofila", "Borgo"]},
        "macro_areas": [
            {"code": "A", "name": "CONTRASTO ALLA POVERTA'", "key_points": ["Allargamento della rete"]},
            {"code": "B", "name": "POLITICHE ABITATIVE", "key_points": ["Qualità dell'abitare"]},
        ],
        "organisations": [
            {"key": "caritas", "name": "Caritas diocesana", "kind": "ets"},
            {"key": "comune-capofila", "name": "Comune capofila", "kind": "comune"},
        ],
        "tavoli": [
            {"key": INCLUSIONE, "name": "Tavolo Inclusione", "macro_areas": ["A"], "members": ["caritas"]},
            {"key": ABITARE, "name": "Tavolo Abitare", "macro_areas": ["B"], "members": ["comune-capofila"]},
        ],
        "leps": [{"code": "pronto-intervento", "name": "Pronto intervento sociale"}],
        "objectives": [
            {"ref": "A.1", "macro_area": "A", "tavolo": INCLUSIONE,
             "title": "Rete per l'inclusione attiva",
             "context": "Contesto originale",
             "goals": ["Obiettivo originale"],
             "actions": ["Azione originale"],
             "budget": {"items": [{"label": "Servizio", "amount_eur": Decimal("1000.5"), "source": "public"}]},
             "co_programmed": {"answer": "yes", "detail": "Tavolo del 12 febbraio"},
             "leps": ["pronto-intervento"]},
            {"ref": "B.1", "macro_area": "B", "tavolo": ABITARE,
             "title": "Presidio sociale di prossimità", "context": "Contesto abitare"},
        ],
        "evaluations": [
            {"ref": "Obiettivo 2021", "title": "Rafforzare la rete", "achievement": {"band": "80-99", "percent": 85},
             "reproposed": {"answer": "yes"}, "reproposed_as": ["A.1"]},
        ],
    }


def encoded(document: dict) -> bytes:
    """The document as JSON text, amounts written exactly (Decimal → number, never through a float)."""
    return simplejson.dumps(document, use_decimal=True, ensure_ascii=False).encode()


def body_of(response):
    """The JSON body with exact numbers (Decimal), as the server wrote it."""
    return json.loads(response.get_data(as_text=True), parse_float=Decimal)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    return body_of(response)


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path, who=None):
        return self.client.get(f"/api/v1{path}", headers=who.headers if who else {})

    def post(self, path, who=None, json=None):  # noqa: A002 - reads like the client
        return self.client.post(f"/api/v1{path}", headers=who.headers if who else {}, json=json)

    def objective(self, ref, key=KEY):
        return ok(self.get(f"/plans/{key}/objectives/{ref}"))

    def proposal(self, proposal_id, who):
        return ok(self.get(f"/proposals/{proposal_id}", who))

    def propose(self, who, ref, changes, base_version=None, rationale="Motivazione", key=KEY):
        if base_version is None:
            base_version = self.objective(ref, key)["version"]
        return self.post(f"/plans/{key}/objectives/{ref}/proposals", who,
                         {"base_version": base_version, "changes": changes, "rationale": rationale})

    def decide(self, who, proposal_id, decision="approve", reason=None):
        payload = {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
        return self.post(f"/proposals/{proposal_id}/decision", who, payload)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def cast(client, runtime, people):
    """The imported plan and its people (seated through the API by the admin)."""
    admin = people.create("admin", name="Anna Ufficio di Piano")
    response = client.post("/api/v1/plans/import?filename=piano.json", headers=admin.headers,
                           data=encoded(small_document()), content_type="application/json")
    assert ok(response, 201) == {"key": KEY, "position": runtime.event_position()}

    class Cast:
        pass

    c = Cast()
    c.admin = admin
    c.coordinator = people.create(organisation="comune-capofila", name="Carla Coordinatrice")
    c.coordinator2 = people.create(organisation="comune-capofila", name="Carlo Coordinatore")
    c.luca = people.create(organisation="caritas", name="Luca Membro")
    c.sara = people.create(organisation="caritas", name="Sara Membro")
    c.paolo = people.create(organisation="comune-capofila", name="Paolo Membro")
    for person, role in ((c.coordinator, "coordinator"), (c.coordinator2, "coordinator"), (c.luca, "member"),
                         (c.sara, "member"), (c.paolo, "member")):
        seated = client.post(f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}/members", headers=admin.headers,
                             json={"user_id": person.id, "role": role})
        assert seated.status_code == 200, seated.get_json()
    tavolo = client.get(f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}").get_json()
    assert tavolo["coordinators"] == [c.coordinator.id, c.coordinator2.id]
    assert tavolo["members"] == [c.luca.id, c.sara.id, c.paolo.id]
    return c


def as_exported(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return body_of(response)


def test_acceptance_scenario(api, runtime, cast, make_app):
    c = cast
    original = api.objective("A.1")
    assert original["version"] == 1 and original["status"] == "draft" and original["tavolo"] == INCLUSIONE
    assert original["fields"]["context"] == "Contesto originale"
    expected = small_document()  # the export must end up as this document plus the approved changes

    # -- a member proposes a change against the current version --------------------------------------------------
    created = api.propose(c.luca, "A.1", {"context": "Contesto rivisto dal tavolo"}, base_version=1,
                          rationale="Il contesto non cita i dati 2024")
    first = ok(created, 201)
    assert set(first) == {"id", "status", "position"} and first["status"] == "open"
    assert first["position"] == runtime.event_position()

    # another member supports it, once; the author cannot support their own proposal
    supported = ok(api.post(f"/proposals/{first['id']}/support", c.sara))
    assert supported["position"] == runtime.event_position()
    with records_nothing(runtime):
        error_body(api.post(f"/proposals/{first['id']}/support", c.sara), 409, "conflict")
        error_body(api.post(f"/proposals/{first['id']}/support", c.luca), 409, "conflict")
    commented = ok(api.post(f"/proposals/{first['id']}/comments", c.sara, {"text": "  D'accordo, con i dati 2024. "}),
                   201)
    assert commented["position"] == runtime.event_position() and commented["id"]

    shown = api.proposal(first["id"], c.paolo)
    assert PROPOSAL_FIELDS <= set(shown), PROPOSAL_FIELDS - set(shown)
    assert shown["id"] == first["id"] and shown["plan"] == KEY and shown["objective_ref"] == "A.1"
    assert shown["base_version"] == 1 and shown["changes"] == {"context": "Contesto rivisto dal tavolo"}
    assert shown["rationale"] == "Il contesto non cita i dati 2024"
    assert shown["author"] == c.luca.id and shown["organisation"] == "caritas"
    assert shown["status"] == "open" and shown["decision"] is None
    assert shown["supporters"] == [c.sara.id]
    assert [(x["author"], x["text"]) for x in shown["comments"]] == [(c.sara.id, "D'accordo, con i dati 2024.")]
    assert [p["id"] for p in ok(api.get(f"/plans/{KEY}/proposals?status=open", c.paolo))] == [first["id"]]

    # two more proposals on the same base: one on the same field, one on another field
    same_field = ok(api.propose(c.sara, "A.1", {"context": "Contesto secondo Sara"}, base_version=1), 201)
    other_field = ok(api.propose(c.paolo, "A.1", {"goals": ["Obiettivo di Paolo", "Secondo obiettivo"]},
                                 base_version=1), 201)
    rejected = ok(api.propose(c.paolo, "A.1", {"budget": {"items": [
        {"label": "Borse lavoro", "amount_eur": 60000, "source": "private"}]}}, base_version=1), 201)
    withdrawn = ok(api.propose(c.luca, "A.1", {"actions": ["Azione ritirata"]}, base_version=1), 201)

    # -- the coordinator approves the first one ------------------------------------------------------------------
    approved = ok(api.decide(c.coordinator, first["id"], reason="Condiviso dal tavolo"))
    assert set(approved) == {"status", "position", "objective_version"}
    assert approved["status"] == "approved" and approved["position"] == runtime.event_position()
    after_first = api.objective("A.1")
    assert approved["objective_version"] == after_first["version"] > 1
    assert after_first["fields"]["context"] == "Contesto rivisto dal tavolo"
    decided = api.proposal(first["id"], c.luca)
    assert decided["status"] == "approved"
    assert decided["decision"]["decision"] == "approve" and decided["decision"]["reason"] == "Condiviso dal tavolo"
    assert decided["decision"]["by"] == c.coordinator.id

    # -- the stale proposal on the same field: 409 with base/current/proposed, nothing recorded -----------------
    with records_nothing(runtime):
        conflict = error_body(api.decide(c.coordinator, same_field["id"]), 409, "conflict")
    assert conflict["details"]["fields"] == {"context": {
        "base": "Contesto originale", "current": "Contesto rivisto dal tavolo", "proposed": "Contesto secondo Sara"}}
    assert api.objective("A.1") == after_first
    assert api.proposal(same_field["id"], c.sara)["status"] == "open"

    # the author revises against the current version; approval then succeeds
    revised = ok(api.post(f"/proposals/{same_field['id']}/revise", c.sara, {
        "base_version": after_first["version"], "changes": {"context": "Contesto rivisto, con le note di Sara"},
        "rationale": "Unita alla proposta approvata"}))
    assert revised["status"] == "open" and revised["position"] == runtime.event_position()
    shown = api.proposal(same_field["id"], c.sara)
    assert shown["base_version"] == after_first["version"]
    assert shown["changes"] == {"context": "Contesto rivisto, con le note di Sara"}
    assert shown["rationale"] == "Unita alla proposta approvata"
    assert ok(api.decide(c.coordinator2, same_field["id"]))["status"] == "approved"
    expected["objectives"][0]["context"] = "Contesto rivisto, con le note di Sara"

    # -- a stale proposal on another field is rebased on approval ----------------------------------------------
    before = api.objective("A.1")
    rebased = ok(api.decide(c.coordinator, other_field["id"]))
    assert rebased["status"] == "approved"
    after_rebase = api.objective("A.1")
    assert rebased["objective_version"] == after_rebase["version"] > before["version"]
    assert after_rebase["fields"]["goals"] == ["Obiettivo di Paolo", "Secondo obiettivo"]
    assert after_rebase["fields"]["context"] == "Contesto rivisto, con le note di Sara"
    expected["objectives"][0]["goals"] = ["Obiettivo di Paolo", "Secondo obiettivo"]

    # -- a rejected and a withdrawn proposal leave no trace in the objective ------------------------------------
    assert ok(api.decide(c.coordinator, rejected["id"], "reject", "Risorse non confermate"))["status"] == "rejected"
    assert ok(api.post(f"/proposals/{withdrawn['id']}/withdraw", c.luca))["status"] == "withdrawn"
    assert api.objective("A.1")["fields"] == after_rebase["fields"]

    # -- a new objective proposed by a member, approved by the coordinator -------------------------------------
    new = ok(api.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", c.luca, {
        "kind": "new_objective", "macro_area": "A", "rationale": "Manca un obiettivo sul dormitorio",
        "fields": {"title": "Dormitorio invernale", "actions": ["Apertura da novembre a marzo"]}}), 201)
    assert new["status"] == "open" and new["position"] == runtime.event_position()
    assert ok(api.decide(c.coordinator, new["id"]))["status"] == "approved"
    born = api.proposal(new["id"], c.luca)
    assert born["status"] == "approved" and born["objective_ref"] == "A.2"
    plan = ok(api.get(f"/plans/{KEY}"))
    assert [(o["ref"], o["tavolo"], o["macro_area"]) for o in plan["objectives"]] == [
        ("A.1", INCLUSIONE, "A"), ("B.1", ABITARE, "B"), ("A.2", INCLUSIONE, "A")]
    assert api.objective("A.2")["fields"] == {"title": "Dormitorio invernale",
                                              "actions": ["Apertura da novembre a marzo"]}
    expected["objectives"].append({"ref": "A.2", "macro_area": "A", "tavolo": INCLUSIONE,
                                   "title": "Dormitorio invernale", "actions": ["Apertura da novembre a marzo"]})

    # -- the plan goes to validation: proposals are refused -------------------------------------------------------
    assert ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "co_programming"}))["status"] == "co_programming"
    assert ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "validation"}))["status"] == "validation"
    assert ok(api.get(f"/plans/{KEY}"))["status"] == "validation"
    with records_nothing(runtime):
        error_body(api.propose(c.luca, "A.1", {"context": "Troppo tardi"}), 409, "conflict")
        error_body(api.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", c.luca, {
            "kind": "new_objective", "macro_area": "A", "fields": {"title": "Troppo tardi"}}), 409, "conflict")

    # -- the Assemblea dei Sindaci approves the plan -----------------------------------------------------------------
    act = {"body": "assemblea_dei_sindaci", "act": "Delibera n. 12", "date": "2025-03-14"}
    approval = ok(api.post(f"/plans/{KEY}/approval", c.admin, act))
    assert approval["status"] == "approved" and approval["position"] == runtime.event_position()
    plan = ok(api.get(f"/plans/{KEY}"))
    assert plan["status"] == "approved"
    assert [{k: a[k] for k in ("body", "act", "date")} for a in plan["approvals"]] == [act]
    assert {o["ref"]: o["status"] for o in plan["objectives"]} == {"A.1": "approved", "B.1": "approved",
                                                                   "A.2": "approved"}

    # -- the export holds exactly the approved changes -----------------------------------------------------------------
    response = api.get(f"/plans/{KEY}/export")
    assert as_exported(response) == expected
    # ...and it is a valid document: an empty instance imports it and exports the same bytes
    other = make_app()
    other_admin = other_people(other).create("admin")
    imported = other.test_client().post("/api/v1/plans/import", headers=other_admin.headers,
                                        data=response.get_data(), content_type="application/json")
    assert imported.status_code == 201, imported.get_data(as_text=True)
    assert other.test_client().get(f"/api/v1/plans/{KEY}/export").get_data() == response.get_data()


def other_people(app):
    from server.directory import Directory
    from tests.conftest import People

    runtime = app.extensions["coprogramma"]
    return People(runtime, Directory(runtime))


def test_mid_plan_proposal_after_approval_moves_the_objective_back_to_agreed(api, runtime, cast):
    c = cast
    for status in ("co_programming", "validation"):
        ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": status}))
    ok(api.post(f"/plans/{KEY}/approval", c.admin,
                {"body": "assemblea_dei_sindaci", "act": "Delibera n. 12", "date": "2025-03-14"}))
    assert api.objective("A.1")["status"] == "approved"

    # a coordinator's direct edit is not the way any more
    with records_nothing(runtime):
        error_body(api.client.patch(f"/api/v1/plans/{KEY}/objectives/A.1", headers=c.coordinator.headers,
                                    json={"base_version": api.objective("A.1")["version"],
                                          "changes": {"context": "Modifica diretta"}}), 409, "conflict")

    mid = ok(api.propose(c.luca, "A.1", {"expected_results": "Almeno 40 persone accolte ogni inverno"}), 201)
    assert mid["status"] == "open"
    decided = ok(api.decide(c.coordinator, mid["id"]))
    objective = api.objective("A.1")
    assert decided["objective_version"] == objective["version"]
    assert objective["fields"]["expected_results"] == "Almeno 40 persone accolte ogni inverno"
    assert objective["status"] == "agreed"
    assert api.objective("B.1")["status"] == "approved"  # untouched objectives stay approved
    exported = as_exported(api.get(f"/plans/{KEY}/export"))
    assert [o.get("expected_results") for o in exported["objectives"]] == [
        "Almeno 40 persone accolte ogni inverno", None]

    # the modification is approved by a new act: back to validation (proposals suspended), then approval
    ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "validation"}))
    with records_nothing(runtime):
        error_body(api.propose(c.luca, "A.1", {"context": "Durante la validazione"}), 409, "conflict")
    # back to co-programming for the revision: the approved text still changes only through proposals
    ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "co_programming"}))
    with records_nothing(runtime):
        error_body(api.client.patch(f"/api/v1/plans/{KEY}/objectives/A.1", headers=c.coordinator.headers,
                                    json={"base_version": api.objective("A.1")["version"],
                                          "changes": {"context": "Modifica diretta"}}), 409, "conflict")
        error_body(api.post(f"/plans/{KEY}/objectives", c.admin, {
            "ref": "A.9", "macro_area": "A", "tavolo": INCLUSIONE, "fields": {"title": "Senza proposta"}}),
            409, "conflict")
    ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "validation"}))
    second_act = {"body": "assemblea_dei_sindaci", "act": "Delibera n. 40", "date": "2026-03-02"}
    assert ok(api.post(f"/plans/{KEY}/approval", c.admin, second_act))["status"] == "approved"
    plan = ok(api.get(f"/plans/{KEY}"))
    assert [a["act"] for a in plan["approvals"]] == ["Delibera n. 12", "Delibera n. 40"]
    assert api.objective("A.1")["status"] == "approved"


def test_the_author_never_decides_their_own_proposal_even_as_coordinator(api, runtime, cast):
    c = cast
    own = ok(api.propose(c.coordinator, "A.1", {"context": "Proposta del coordinatore"}), 201)
    for decision in ("approve", "reject", "request_changes"):
        with records_nothing(runtime):
            error_body(api.decide(c.coordinator, own["id"], decision), 403, "forbidden")
    assert api.proposal(own["id"], c.coordinator)["status"] == "open"
    assert api.objective("A.1")["fields"]["context"] == "Contesto originale"
    # an admin author is no exception
    by_admin = ok(api.propose(c.admin, "A.1", {"goals": ["Proposta dell'Ufficio di Piano"]}), 201)
    with records_nothing(runtime):
        error_body(api.decide(c.admin, by_admin["id"]), 403, "forbidden")
    # another coordinator may decide
    assert ok(api.decide(c.coordinator2, own["id"]))["status"] == "approved"
    assert api.objective("A.1")["fields"]["context"] == "Proposta del coordinatore"


def test_request_changes_then_revise_then_approve(api, runtime, cast):
    c = cast
    proposal = ok(api.propose(c.luca, "A.1", {"target": ["Persone senza dimora"]}, rationale="Primo testo"), 201)
    asked = ok(api.decide(c.coordinator, proposal["id"], "request_changes", "Specificare l'età"))
    assert asked["status"] == "changes_requested" and asked["position"] == runtime.event_position()
    assert asked["objective_version"] == api.objective("A.1")["version"] == 1  # the objective did not change
    shown = api.proposal(proposal["id"], c.luca)
    assert shown["status"] == "changes_requested"
    assert shown["decision"]["decision"] == "request_changes" and shown["decision"]["reason"] == "Specificare l'età"
    assert "target" not in api.objective("A.1")["fields"]
    assert [p["id"] for p in ok(api.get(f"/plans/{KEY}/proposals?status=changes_requested", c.luca))] == [
        proposal["id"]]

    # only the author revises
    with records_nothing(runtime):
        error_body(api.post(f"/proposals/{proposal['id']}/revise", c.sara,
                            {"base_version": 1, "changes": {"target": ["Altro"]}}), 403, "forbidden")
    revised = ok(api.post(f"/proposals/{proposal['id']}/revise", c.luca, {
        "base_version": 1, "changes": {"target": ["Persone senza dimora adulte (18-65 anni)"]},
        "rationale": "Età specificata"}))
    assert revised["status"] == "open"
    shown = api.proposal(proposal["id"], c.luca)
    assert shown["status"] == "open" and shown["changes"] == {"target": ["Persone senza dimora adulte (18-65 anni)"]}
    approved = ok(api.decide(c.coordinator, proposal["id"]))
    assert approved["status"] == "approved"
    assert api.objective("A.1")["fields"]["target"] == ["Persone senza dimora adulte (18-65 anni)"]


def test_revise_without_base_version_keeps_the_proposal_base(api, runtime, cast):
    """`base_version` is optional on revise (the schema says so): the proposal keeps its own base."""
    c = cast
    proposal = ok(api.propose(c.luca, "A.1", {"target": ["Primo"]}), 201)
    with records_nothing(runtime):
        error_body(api.post(f"/proposals/{proposal['id']}/revise", c.sara, {"changes": {"target": ["Altro"]}}),
                   403, "forbidden")
    revised = ok(api.post(f"/proposals/{proposal['id']}/revise", c.luca, {"changes": {"target": ["Secondo"]}}))
    assert revised["status"] == "open"
    shown = api.proposal(proposal["id"], c.luca)
    assert shown["base_version"] == 1 and shown["changes"] == {"target": ["Secondo"]}
    assert ok(api.decide(c.coordinator, proposal["id"]))["status"] == "approved"
    assert api.objective("A.1")["fields"]["target"] == ["Secondo"]


def test_withdraw_is_for_the_author_only_and_closes_the_proposal(api, runtime, cast):
    c = cast
    proposal = ok(api.propose(c.luca, "A.1", {"context": "Da ritirare"}), 201)
    for who in (c.sara, c.coordinator, c.admin):
        with records_nothing(runtime):
            error_body(api.post(f"/proposals/{proposal['id']}/withdraw", who), 403, "forbidden")
    withdrawn = ok(api.post(f"/proposals/{proposal['id']}/withdraw", c.luca))
    assert withdrawn == {"id": proposal["id"], "status": "withdrawn", "position": runtime.event_position()}
    assert api.proposal(proposal["id"], c.luca)["status"] == "withdrawn"
    with records_nothing(runtime):
        for decision in ("approve", "reject", "request_changes"):
            error_body(api.decide(c.coordinator, proposal["id"], decision), 409, "conflict")
        error_body(api.post(f"/proposals/{proposal['id']}/withdraw", c.luca), 409, "conflict")
        error_body(api.post(f"/proposals/{proposal['id']}/support", c.sara), 409, "conflict")
        error_body(api.post(f"/proposals/{proposal['id']}/revise", c.luca,
                            {"base_version": 1, "changes": {"context": "Ripensamento"}}), 409, "conflict")
    assert api.objective("A.1")["fields"]["context"] == "Contesto originale"
    assert api.objective("A.1")["version"] == 1


@pytest.mark.parametrize("first, then", [("approve", "reject"), ("reject", "approve"), ("approve", "approve"),
                                         ("reject", "request_changes")])
def test_a_decided_proposal_cannot_be_decided_again(api, runtime, cast, first, then):
    c = cast
    proposal = ok(api.propose(c.luca, "A.1", {"context": "Una volta sola"}), 201)
    ok(api.decide(c.coordinator, proposal["id"], first))
    objective = api.objective("A.1")
    with records_nothing(runtime):
        body = error_body(api.decide(c.coordinator2, proposal["id"], then), 409, "conflict")
        error_body(api.post(f"/proposals/{proposal['id']}/withdraw", c.luca), 409, "conflict")
    assert body["details"]["status"] == {"approve": "approved", "reject": "rejected"}[first]
    assert api.objective("A.1") == objective
    assert api.proposal(proposal["id"], c.luca)["status"] == {"approve": "approved", "reject": "rejected"}[first]


def test_decision_on_a_proposal_is_refused_in_validation_and_nothing_changes(api, runtime, cast):
    c = cast
    proposal = ok(api.propose(c.luca, "A.1", {"context": "In attesa"}), 201)
    for status in ("co_programming", "validation"):
        ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": status}))
    with records_nothing(runtime):
        error_body(api.decide(c.coordinator, proposal["id"]), 409, "conflict")
    assert api.proposal(proposal["id"], c.luca)["status"] == "open"
    assert api.objective("A.1")["fields"]["context"] == "Contesto originale"
    # back to co-programming: the same proposal can be approved
    ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "co_programming"}))
    assert ok(api.decide(c.coordinator, proposal["id"]))["status"] == "approved"


@pytest.mark.parametrize("move, current", [("validation", "drafting"), ("co_programming", "co_programming")])
def test_plan_moves_the_lifecycle_does_not_allow_are_409(api, runtime, cast, move, current):
    c = cast
    if current == "co_programming":
        ok(api.post(f"/plans/{KEY}/status", c.admin, {"status": "co_programming"}))
    with records_nothing(runtime):
        error_body(api.post(f"/plans/{KEY}/status", c.admin, {"status": move}), 409, "conflict")
        error_body(api.post(f"/plans/{KEY}/approval", c.admin,
                            {"body": "assemblea_dei_sindaci", "act": "Delibera n. 1", "date": "2025-01-10"}),
                   409, "conflict")
    assert ok(api.get(f"/plans/{KEY}"))["status"] == current


def test_stale_proposal_conflict_lists_every_moved_field(api, runtime, cast):
    c = cast
    stale = ok(api.propose(c.sara, "A.1", {"context": "Sara", "goals": ["Sara"], "actions": ["Sara"]},
                           base_version=1), 201)
    ok(api.decide(c.coordinator, ok(api.propose(c.luca, "A.1", {"context": "Luca", "goals": ["Luca"]}), 201)["id"]))
    with records_nothing(runtime):
        body = error_body(api.decide(c.coordinator, stale["id"]), 409, "conflict")
    assert body["details"]["fields"] == {
        "context": {"base": "Contesto originale", "current": "Luca", "proposed": "Sara"},
        "goals": {"base": ["Obiettivo originale"], "current": ["Luca"], "proposed": ["Sara"]}}
    assert api.objective("A.1")["fields"]["actions"] == ["Azione originale"]


def test_new_objective_proposal_from_a_member_of_another_tavolo_is_refused(api, runtime, cast, people, client):
    c = cast
    outsider = people.create(organisation="caritas")
    ok(client.post(f"/api/v1/plans/{KEY}/tavoli/{ABITARE}/members", headers=c.admin.headers,
                   json={"user_id": outsider.id, "role": "member"}))
    with records_nothing(runtime):
        error_body(api.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", outsider, {
            "kind": "new_objective", "macro_area": "A", "fields": {"title": "Non mio"}}), 403, "forbidden")
        error_body(api.propose(outsider, "A.1", {"context": "Non mio"}), 403, "forbidden")
    assert [o["ref"] for o in ok(api.get(f"/plans/{KEY}"))["objectives"]] == ["A.1", "B.1"]


def test_export_of_the_untouched_import_is_the_document(api, cast):
    assert as_exported(api.get(f"/plans/{KEY}/export")) == small_document()


def test_approving_a_rejected_then_reproposed_change(api, runtime, cast):
    """The same change may be proposed again after a rejection; only the approved one lands."""
    c = cast
    first = ok(api.propose(c.luca, "A.1", {"context": "Di nuovo"}), 201)
    ok(api.decide(c.coordinator, first["id"], "reject"))
    assert api.objective("A.1")["fields"]["context"] == "Contesto originale"
    again = ok(api.propose(c.luca, "A.1", {"context": "Di nuovo"}), 201)
    ok(api.decide(c.coordinator, again["id"]))
    assert api.objective("A.1")["fields"]["context"] == "Di nuovo"
    listed = {p["id"]: p["status"] for p in ok(api.get(f"/plans/{KEY}/proposals", c.luca))}
    assert listed == {first["id"]: "rejected", again["id"]: "approved"}


def test_a_new_objective_proposal_revised_keeps_a_title(api, runtime, cast):
    """A revision replaces the proposed card: without a title the approved objective would be invalid
    (and the plan's export could not be imported again)."""
    c = cast
    new = ok(api.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", c.luca, {
        "kind": "new_objective", "macro_area": "A", "fields": {"title": "Titolo iniziale"}}), 201)
    for changes in ({"context": "Senza titolo"}, {"title": None, "context": "Titolo cancellato"}):
        with records_nothing(runtime):
            body = error_body(api.post(f"/proposals/{new['id']}/revise", c.luca, {"changes": changes}), 422,
                              "validation_failed")
        assert "title" in body["details"]["changes"]
    assert api.proposal(new["id"], c.luca)["changes"] == {"title": "Titolo iniziale"}
    ok(api.post(f"/proposals/{new['id']}/revise", c.luca, {"changes": {"title": "Titolo rivisto",
                                                                      "context": "Con contesto"}}))
    ok(api.decide(c.coordinator, new["id"]))
    assert api.objective("A.2")["fields"] == {"title": "Titolo rivisto", "context": "Con contesto"}


def test_fields_left_empty_in_a_new_objective_are_absent(api, runtime, cast):
    """An empty value means "nothing there": it is not kept as null (the export drops it, so an
    imported copy would differ from the original)."""
    c = cast
    new = ok(api.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", c.luca, {
        "kind": "new_objective", "macro_area": "A",
        "fields": {"title": "Obiettivo essenziale", "goals": [], "context": "  ", "budget": {}}}), 201)
    ok(api.decide(c.coordinator, new["id"]))
    assert api.objective("A.2")["fields"] == {"title": "Obiettivo essenziale"}
    created = api.post(f"/plans/{KEY}/objectives", c.coordinator, {
        "ref": "A.3", "macro_area": "A", "tavolo": INCLUSIONE,
        "fields": {"title": "Creato dal coordinatore", "actions": [], "co_designed": {"answer": None, "detail": ""}}})
    assert ok(created, 201)["ref"] == "A.3"
    assert api.objective("A.3")["fields"] == {"title": "Creato dal coordinatore"}


def test_proposals_list_filters_by_status_and_tavolo(api, runtime, cast):
    c = cast
    first = ok(api.propose(c.luca, "A.1", {"context": "Uno"}), 201)
    second = ok(api.propose(c.sara, "A.1", {"goals": ["Due"]}), 201)
    ok(api.decide(c.coordinator, first["id"], "reject"))
    listed = ok(api.get(f"/plans/{KEY}/proposals", c.admin))
    assert [p["id"] for p in listed] == [first["id"], second["id"]]  # oldest first
    assert [p["id"] for p in ok(api.get(f"/plans/{KEY}/proposals?status=open", c.admin))] == [second["id"]]
    assert [p["id"] for p in ok(api.get(f"/plans/{KEY}/proposals?status=rejected", c.admin))] == [first["id"]]
    assert [p["id"] for p in ok(api.get(f"/plans/{KEY}/proposals?tavolo={INCLUSIONE}", c.admin))] == [
        first["id"], second["id"]]
    assert ok(api.get(f"/plans/{KEY}/proposals?tavolo={ABITARE}", c.admin)) == []
    assert ok(api.get(f"/plans/{KEY}/proposals?status=open&tavolo={INCLUSIONE}", c.luca))[0]["id"] == second["id"]
    error_body(api.get(f"/plans/{KEY}/proposals?status=aperta", c.admin), 422, "validation_failed")
