"""Who may do what in the co-programming workflow: every role × every workflow action.

Allowed → the 2xx of the contract and the effect is visible; refused → 401 (anonymous) or 403, the
contract's error shape and NOTHING recorded in the event log.

The matrix follows the contract (api.md) and the code's stated intent: auditors read everything and
write nothing; only admins move the plan, approve it, extend it, validate objectives and import;
coordinators of the objective's tavolo (and admins) create, edit, rename and decide; members and
coordinators of the tavolo (and admins, who "may take part everywhere") propose, comment and support;
only the author revises or withdraws; proposals are visible to the tavolo, auditors and admins.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from server.application import SYSTEM
from tests.api.api_helpers import assert_allowed, error_body
from tests.api.test_workflow_scenario import ABITARE, INCLUSIONE, KEY, encoded, small_document

ROLES = ("anonymous", "member", "coordinator", "other_member", "other_coordinator", "auditor", "admin")


def only(ok: int, *allowed: str) -> dict:
    """`ok` for the given roles, 401 for anonymous, 403 for everybody else."""
    return {role: ok if role in allowed else 403 for role in ROLES} | {"anonymous": 401}


ADMIN = ("admin",)
COORDINATION = ("coordinator", "admin")
PARTICIPANTS = ("member", "coordinator", "admin")
READERS_OF_THE_TAVOLO = ("member", "coordinator", "auditor", "admin")
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")
EVERYONE = {role: 200 for role in ROLES}


class World:
    """The imported plan, its people (all created before the log is measured) and an open proposal."""

    def __init__(self, client, runtime, people):
        self.client, self.runtime = client, runtime
        self.admin = people.create("admin", name="Anna Amministratrice")
        response = client.post("/api/v1/plans/import", headers=self.admin.headers, data=encoded(small_document()),
                               content_type="application/json")
        assert response.status_code == 201, response.get_data(as_text=True)
        self.auditor = people.create("auditor", name="Rita Revisora")
        self.member = people.seat(people.create(organisation="caritas", name="Marco Membro"), KEY, INCLUSIONE)
        self.coordinator = people.seat(people.create(name="Carla Coordinatrice"), KEY, INCLUSIONE, "coordinator")
        self.other_member = people.seat(people.create(name="Olga Altrove"), KEY, ABITARE)
        self.other_coordinator = people.seat(people.create(name="Oscar Altrove"), KEY, ABITARE, "coordinator")
        self.author = people.seat(people.create(organisation="caritas", name="Alba Autrice"), KEY, INCLUSIONE)
        self.proposal_id = self.propose(self.author)

    def headers(self, role: str) -> dict:
        return {} if role == "anonymous" else getattr(self, role).headers

    def propose(self, person) -> str:
        response = self.client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=person.headers,
                                    json={"base_version": 1, "changes": {"context": "Proposta di Alba"},
                                          "rationale": "Aggiornare il contesto"})
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()["id"]

    def objective(self, ref: str = "A.1", key: str = KEY) -> dict:
        response = self.client.get(f"/api/v1/plans/{key}/objectives/{ref}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def proposal(self) -> dict:
        response = self.client.get(f"/api/v1/proposals/{self.proposal_id}", headers=self.admin.headers)
        assert response.status_code == 200
        return response.get_json()

    def plan(self, key: str = KEY) -> dict:
        return self.client.get(f"/api/v1/plans/{key}").get_json()

    def system(self, position: int) -> None:
        """Setup done by the console operator, before the log is measured."""
        self.runtime.wait_for(position)


@pytest.fixture
def world(client, runtime, people):
    return World(client, runtime, people)


@dataclass
class Action:
    name: str
    call: Callable  # (world, headers) -> response
    expected: dict  # role -> status
    verify: Callable | None = None  # (world, role, response) -> None, after success
    setup: Callable | None = None  # (world) -> None, before the log is measured
    writes: bool = True


# -- objectives ---------------------------------------------------------------------------------------------------
def create_objective(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/objectives", headers=headers, json={
        "ref": "A.9", "macro_area": "A", "tavolo": INCLUSIONE, "fields": {"title": "Nuovo obiettivo del tavolo"}})


def verify_created(w, role, response):
    assert response.get_json()["ref"] == "A.9" and response.get_json()["version"] == 1
    objective = w.objective("A.9")
    assert objective["fields"] == {"title": "Nuovo obiettivo del tavolo"} and objective["tavolo"] == INCLUSIONE


def edit_objective(w, headers):
    return w.client.patch(f"/api/v1/plans/{KEY}/objectives/A.1", headers=headers,
                          json={"base_version": 1, "changes": {"context": "Modifica diretta"}})


def verify_edited(w, role, response):
    objective = w.objective()
    assert objective["fields"]["context"] == "Modifica diretta"
    assert response.get_json()["version"] == objective["version"] == 2


def rename_objective(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/objectives/A.1/rename", headers=headers, json={"ref": "A.01"})


def verify_renamed(w, role, response):
    assert response.get_json()["ref"] == "A.01"
    assert w.objective("A.01")["fields"]["title"] == "Rete per l'inclusione attiva"
    assert w.client.get(f"/api/v1/plans/{KEY}/objectives/A.1").status_code == 404
    assert w.proposal()["objective_ref"] == "A.01"


def set_in_discussion(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/objectives/A.1/status", headers=headers,
                         json={"status": "in_discussion"})


def verify_in_discussion(w, role, response):
    assert w.objective()["status"] == "in_discussion"


def agreed(w):
    app = w.runtime.app
    app.set_objective_status(KEY, "A.1", "in_discussion", SYSTEM)
    w.system(app.set_objective_status(KEY, "A.1", "agreed", SYSTEM))


def set_validated(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/objectives/A.1/status", headers=headers, json={"status": "validated"})


def verify_validated(w, role, response):
    assert w.objective()["status"] == "validated"


# -- proposals -------------------------------------------------------------------------------------------------------
def propose_amendment(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/objectives/A.1/proposals", headers=headers,
                         json={"base_version": 1, "changes": {"goals": ["Un obiettivo in più"]}})


def verify_proposed(w, role, response):
    body = response.get_json()
    assert body["status"] == "open"
    shown = w.client.get(f"/api/v1/proposals/{body['id']}", headers=w.admin.headers).get_json()
    assert shown["author"] == getattr(w, role).id and shown["status"] == "open"


def propose_new_objective(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", headers=headers, json={
        "kind": "new_objective", "macro_area": "A", "fields": {"title": "Obiettivo proposto"}})


def comment(w, headers):
    return w.client.post(f"/api/v1/proposals/{w.proposal_id}/comments", headers=headers, json={"text": "Concordo"})


def verify_commented(w, role, response):
    comments = w.proposal()["comments"]
    assert [(c["author"], c["text"]) for c in comments] == [(getattr(w, role).id, "Concordo")]
    assert comments[0]["id"] == response.get_json()["id"]


def support(w, headers):
    return w.client.post(f"/api/v1/proposals/{w.proposal_id}/support", headers=headers)


def verify_supported(w, role, response):
    assert w.proposal()["supporters"] == [getattr(w, role).id]


def revise(w, headers):
    return w.client.post(f"/api/v1/proposals/{w.proposal_id}/revise", headers=headers,
                         json={"base_version": 1, "changes": {"context": "Riscritta da altri"}})


def withdraw(w, headers):
    return w.client.post(f"/api/v1/proposals/{w.proposal_id}/withdraw", headers=headers)


def decide(decision):
    def call(w, headers):
        return w.client.post(f"/api/v1/proposals/{w.proposal_id}/decision", headers=headers,
                             json={"decision": decision, "reason": "Deciso"})
    return call


def verify_decided(status):
    def verify(w, role, response):
        assert response.get_json()["status"] == status
        shown = w.proposal()
        assert shown["status"] == status and shown["decision"]["by"] == getattr(w, role).id
        context = w.objective()["fields"]["context"]
        assert context == ("Proposta di Alba" if status == "approved" else "Contesto originale")
    return verify


def read_proposal(w, headers):
    return w.client.get(f"/api/v1/proposals/{w.proposal_id}", headers=headers)


def verify_read(w, role, response):
    body = response.get_json()
    assert body["id"] == w.proposal_id and body["changes"] == {"context": "Proposta di Alba"}


def list_proposals(w, headers):
    return w.client.get(f"/api/v1/plans/{KEY}/proposals", headers=headers)


def verify_listed(w, role, response):
    ids = [p["id"] for p in response.get_json()]
    # proposals are visible to the tavolo, to auditors and to admins; others get an empty list
    assert ids == ([w.proposal_id] if role in READERS_OF_THE_TAVOLO else [])


# -- the plan --------------------------------------------------------------------------------------------------------
def move_plan(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/status", headers=headers, json={"status": "co_programming"})


def verify_moved(w, role, response):
    assert w.plan()["status"] == "co_programming"


def in_validation(w):
    app = w.runtime.app
    app.set_plan_status(KEY, "co_programming", SYSTEM)
    w.system(app.set_plan_status(KEY, "validation", SYSTEM))


def approve_plan(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/approval", headers=headers,
                         json={"body": "assemblea_dei_sindaci", "act": "Delibera n. 12", "date": "2025-03-14"})


def verify_approved(w, role, response):
    plan = w.plan()
    assert plan["status"] == "approved" and plan["approvals"][0]["act"] == "Delibera n. 12"


def extend_period(w, headers):
    return w.client.post(f"/api/v1/plans/{KEY}/period", headers=headers, json={"to": 2028, "act": "DGR XII/1234"})


def verify_extended(w, role, response):
    assert w.plan()["period"] == {"from": 2025, "to": 2028}


def import_plan(w, headers):
    return w.client.post("/api/v1/plans/import", headers=headers, data=encoded(small_document("piano-importato")),
                         content_type="application/json")


def verify_imported(w, role, response):
    assert response.get_json()["key"] == "piano-importato"
    assert [o["ref"] for o in w.plan("piano-importato")["objectives"]] == ["A.1", "B.1"]


def read_objective(w, headers):
    return w.client.get(f"/api/v1/plans/{KEY}/objectives/A.1", headers=headers)


def export_plan(w, headers):
    return w.client.get(f"/api/v1/plans/{KEY}/export", headers=headers)


def verify_exported(w, role, response):
    assert response.get_json()["plan"]["key"] == KEY


ACTIONS = [
    Action("create objective", create_objective, only(201, *COORDINATION), verify_created),
    Action("direct edit (PATCH objective)", edit_objective, only(200, *COORDINATION), verify_edited),
    Action("rename objective", rename_objective, only(200, *COORDINATION), verify_renamed),
    Action("objective status in_discussion", set_in_discussion, only(200, *COORDINATION), verify_in_discussion),
    Action("objective status validated", set_validated, only(200, *ADMIN), verify_validated, setup=agreed),
    Action("propose amendment", propose_amendment, only(201, *PARTICIPANTS), verify_proposed),
    Action("propose new objective", propose_new_objective, only(201, *PARTICIPANTS), verify_proposed),
    Action("comment", comment, only(201, *PARTICIPANTS), verify_commented),
    Action("support", support, only(200, *PARTICIPANTS), verify_supported),
    Action("revise (not the author)", revise, only(200)),
    Action("withdraw (not the author)", withdraw, only(200)),
    Action("decide approve", decide("approve"), only(200, *COORDINATION), verify_decided("approved")),
    Action("decide reject", decide("reject"), only(200, *COORDINATION), verify_decided("rejected")),
    Action("decide request_changes", decide("request_changes"), only(200, *COORDINATION),
           verify_decided("changes_requested")),
    Action("move plan status", move_plan, only(200, *ADMIN), verify_moved),
    Action("approve plan", approve_plan, only(200, *ADMIN), verify_approved, setup=in_validation),
    Action("extend period", extend_period, only(200, *ADMIN), verify_extended),
    Action("import plan", import_plan, only(201, *ADMIN), verify_imported),
    Action("read proposal", read_proposal, only(200, *READERS_OF_THE_TAVOLO), verify_read, writes=False),
    Action("list proposals", list_proposals, only(200, *SIGNED_IN), verify_listed, writes=False),
    Action("read objective", read_objective, EVERYONE, writes=False),
    Action("export plan", export_plan, EVERYONE, verify_exported, writes=False),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_workflow_permission(world, runtime, action, role):
    if action.setup:
        action.setup(world)
    objective, proposal, plan = world.objective(), world.proposal(), world.plan()
    before = runtime.event_position()

    response = action.call(world, world.headers(role))

    expected = action.expected[role]
    if expected >= 400:
        error_body(response, expected, {401: "unauthenticated", 403: "forbidden"}[expected])
        assert runtime.event_position() == before, "a refused request recorded events"
        assert (world.objective(), world.proposal(), world.plan()) == (objective, proposal, plan)
        return
    assert_allowed(runtime, response, expected, before, action.writes)
    if action.verify:
        action.verify(world, role, response)


def test_the_matrix_covers_every_role_and_action():
    for action in ACTIONS:
        assert set(action.expected) == set(ROLES), action.name
    assert len(ACTIONS) >= 20


def test_the_author_may_revise_and_withdraw(world, runtime):
    """The counterpart of the two rows where nobody but the author is allowed."""
    revised = revise(world, world.author.headers)
    assert revised.status_code == 200 and revised.get_json()["position"] == runtime.event_position()
    assert world.proposal()["changes"] == {"context": "Riscritta da altri"}
    withdrawn = withdraw(world, world.author.headers)
    assert withdrawn.status_code == 200 and world.proposal()["status"] == "withdrawn"


def test_a_member_removed_from_the_tavolo_loses_the_right_to_take_part(world, runtime, client):
    removed = client.delete(f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}/members/{world.member.id}",
                            headers=world.admin.headers)
    assert removed.status_code == 200
    before = runtime.event_position()
    for call in (propose_amendment, comment, support):
        error_body(call(world, world.member.headers), 403, "forbidden")
    error_body(read_proposal(world, world.member.headers), 403, "forbidden")
    assert runtime.event_position() == before


def test_a_coordinator_of_another_tavolo_promoted_here_may_decide(world, runtime, client):
    promoted = client.post(f"/api/v1/plans/{KEY}/tavoli/{INCLUSIONE}/members", headers=world.admin.headers,
                           json={"user_id": world.other_coordinator.id, "role": "coordinator"})
    assert promoted.status_code == 200
    response = decide("approve")(world, world.other_coordinator.headers)
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
