"""Every endpoint of server/api, for each kind of caller: allowed (2xx and the effect is visible),
refused (401 anonymous / 403 not allowed, contract error shape, NOTHING recorded)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from tests.api.api_helpers import OTHER_TAVOLO, PLAN, ROLES, TAVOLO, assert_allowed, error_body

ENGLISH = re.compile(r"\b(the|you|your|permission|allowed|server|request)\b", re.I)
ANYONE = {role: 200 for role in ROLES}
SIGNED_IN = {**ANYONE, "anonymous": 401}


def only(ok: int, *allowed: str) -> dict:
    """`ok` for the given roles (and admin), 401 for anonymous, 403 for everybody else."""
    return {role: ok if role in (*allowed, "admin") else 403 for role in ROLES} | {"anonymous": 401}


@dataclass
class Action:
    name: str
    call: Callable  # (client, cast, headers) -> response
    expected: dict  # role -> status
    writes: bool = True
    verify: Callable | None = None  # (client, cast, response) -> None, after success
    after_refusal: Callable | None = None  # (client, cast, mailbox) -> None, after a refusal


def _tavolo(client, cast, plan=PLAN, tavolo=TAVOLO):
    response = client.get(f"/api/v1/plans/{plan}/tavoli/{tavolo}", headers=cast.admin.headers)
    assert response.status_code == 200
    return response.get_json()


def _user(client, cast, user_id):
    response = client.get(f"/api/v1/users/{user_id}", headers=cast.admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# -- the writes -----------------------------------------------------------------------------------
def create_plan(client, cast, headers):
    return client.post("/api/v1/plans", headers=headers, json={
        "key": "piano-nuovo", "title": "Piano di Zona 2025-2027", "ambito": "Ambito di Lecco",
        "period": {"from": 2025, "to": 2027}})


def verify_plan(client, cast, response):
    assert response.get_json()["key"] == "piano-nuovo"
    plan = client.get("/api/v1/plans/piano-nuovo").get_json()
    assert plan["title"] == "Piano di Zona 2025-2027" and plan["status"] == "drafting"
    assert plan["period"] == {"from": 2025, "to": 2027}


def add_macro_area(client, cast, headers):
    return client.post(f"/api/v1/plans/{PLAN}/macro-areas", headers=headers,
                       json={"code": "B", "name": "Politiche abitative", "key_points": ["Housing sociale"]})


def verify_macro_area(client, cast, response):
    areas = client.get(f"/api/v1/plans/{PLAN}").get_json()["macro_areas"]
    assert {"code": "B", "name": "Politiche abitative", "key_points": ["Housing sociale"]} in areas


def create_tavolo(client, cast, headers):
    return client.post(f"/api/v1/plans/{PLAN}/tavoli", headers=headers,
                       json={"key": "anziani", "name": "Tavolo Anziani", "macro_areas": ["A"],
                             "organisations": ["caritas"]})


def verify_tavolo(client, cast, response):
    assert response.get_json()["key"] == "anziani"
    tavolo = client.get(f"/api/v1/plans/{PLAN}/tavoli/anziani").get_json()
    assert tavolo["name"] == "Tavolo Anziani" and tavolo["macro_areas"] == ["A"]
    assert tavolo["organisations"] == ["caritas"]


def add_member(client, cast, headers):
    return client.post(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", headers=headers,
                       json={"user_id": cast.outsider.id, "role": "member"})


def verify_added(client, cast, response):
    assert cast.outsider.id in _tavolo(client, cast)["members"]


def promote_member(client, cast, headers):
    return client.post(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", headers=headers,
                       json={"user_id": cast.target.id, "role": "coordinator"})


def verify_promoted(client, cast, response):
    tavolo = _tavolo(client, cast)
    assert cast.target.id in tavolo["coordinators"] and cast.target.id not in tavolo["members"]


def remove_member(client, cast, headers):
    return client.delete(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members/{cast.target.id}", headers=headers)


def verify_removed(client, cast, response):
    tavolo = _tavolo(client, cast)
    assert cast.target.id not in tavolo["members"] + tavolo["coordinators"]


def register_organisation(client, cast, headers):
    return client.post("/api/v1/organisations", headers=headers,
                       json={"key": "acli", "name": "ACLI provinciali", "kind": "ets"})


def verify_registered(client, cast, response):
    assert response.get_json()["key"] == "acli"
    assert {"key": "acli", "name": "ACLI provinciali", "kind": "ets"} in client.get("/api/v1/organisations").get_json()


def update_organisation(client, cast, headers):
    return client.put("/api/v1/organisations/caritas", headers=headers,
                      json={"name": "Caritas Ambrosiana", "kind": "diocesi"})


def verify_updated(client, cast, response):
    organisations = client.get("/api/v1/organisations").get_json()
    assert {"key": "caritas", "name": "Caritas Ambrosiana", "kind": "diocesi"} in organisations


def grant_role(client, cast, headers):
    return client.post(f"/api/v1/users/{cast.outsider.id}/roles", headers=headers, json={"role": "auditor"})


def verify_granted(client, cast, response):
    assert response.get_json()["id"] == cast.outsider.id
    assert "auditor" in _user(client, cast, cast.outsider.id)["roles"]


def revoke_role(client, cast, headers):
    return client.delete(f"/api/v1/users/{cast.former_auditor.id}/roles/auditor", headers=headers)


def verify_revoked(client, cast, response):
    assert "auditor" not in _user(client, cast, cast.former_auditor.id)["roles"]
    # the token now carries no auditor powers
    assert client.get("/api/v1/roles/history", headers=cast.former_auditor.headers).status_code == 403


NEW_USER = {"email": "giulia.nuova@prova.example", "name": "Giulia Nuova", "password": "una-password-lunga",
            "organisation": "caritas"}


def create_user(client, cast, headers):
    return client.post("/api/v1/users", headers=headers, json=NEW_USER)


def verify_user_created(client, cast, response):
    card = _user(client, cast, response.get_json()["id"])
    assert card["name"] == "Giulia Nuova" and card["organisation"] == "caritas" and card["active"] is True
    token = client.post("/api/v1/auth/token", json={"email": NEW_USER["email"], "password": NEW_USER["password"]})
    assert token.status_code == 200


def user_not_left_behind(client, cast, mailbox):
    """The refused request left no half-created person: the same e-mail can still be registered."""
    assert create_user(client, cast, cast.admin.headers).status_code == 201


INVITED = "invitata@prova.example"


def invite_to_tavolo(client, cast, headers):
    return client.post("/api/v1/invitations", headers=headers, json={
        "email": INVITED, "name": "Irene Invitata", "plan": PLAN, "tavolo": TAVOLO, "role": "member"})


def verify_invited_to_tavolo(client, cast, response):
    user_id = response.get_json()["id"]
    assert user_id in _tavolo(client, cast)["members"]
    assert _user(client, cast, user_id)["active"] is False
    assert "/imposta-password/" in cast.mailbox.link_path(INVITED)


def invite_without_tavolo(client, cast, headers):
    return client.post("/api/v1/invitations", headers=headers,
                       json={"email": INVITED, "name": "Irene Invitata", "organisation": "caritas"})


def verify_invited(client, cast, response):
    card = _user(client, cast, response.get_json()["id"])
    assert card["organisation"] == "caritas" and card["active"] is False
    assert "/imposta-password/" in cast.mailbox.link_path(INVITED)


def invitation_not_sent(client, cast, mailbox):
    assert mailbox.to(INVITED) == []
    assert invite_without_tavolo(client, cast, cast.admin.headers).status_code == 201  # e-mail not taken


def move_plan_status(client, cast, headers):
    return client.post(f"/api/v1/plans/{PLAN}/status", headers=headers, json={"status": "co_programming"})


def verify_moved(client, cast, response):
    assert response.get_json()["status"] == "co_programming"
    assert client.get(f"/api/v1/plans/{PLAN}").get_json()["status"] == "co_programming"


def create_objective(client, cast, headers):
    return client.post(f"/api/v1/plans/{PLAN}/objectives", headers=headers, json={
        "ref": "A.1", "macro_area": "A", "tavolo": TAVOLO, "fields": {"title": "Contrastare l'isolamento"}})


def verify_objective(client, cast, response):
    assert response.get_json()["ref"] == "A.1" and response.get_json()["version"] == 1
    [objective] = client.get(f"/api/v1/plans/{PLAN}").get_json()["objectives"]
    assert {k: objective[k] for k in ("ref", "title", "macro_area", "tavolo", "version")} == {
        "ref": "A.1", "title": "Contrastare l'isolamento", "macro_area": "A", "tavolo": TAVOLO, "version": 1}
    assert objective["status"]


# -- the reads ------------------------------------------------------------------------------------
def list_users(client, cast, headers):
    return client.get("/api/v1/users", headers=headers)


def verify_users_listed(client, cast, response):
    cards = {card["id"]: card for card in response.get_json()}
    assert cards[cast.target.id]["name"] == "Tina Seduta"
    assert {"id", "name", "organisation", "active", "roles"} <= set(cards[cast.target.id])


def role_history(client, cast, headers):
    return client.get("/api/v1/roles/history", headers=headers)


def verify_history(client, cast, response):
    entries = response.get_json()
    assert {"user_id": cast.target.id, "role": "member", "change": "granted", "plan": PLAN, "tavolo": TAVOLO} in [
        {k: e[k] for k in ("user_id", "role", "change", "plan", "tavolo")} for e in entries]
    assert [e["position"] for e in entries] == sorted(e["position"] for e in entries)


def me(client, cast, headers):
    return client.get("/api/v1/users/me", headers=headers)


def get_user(client, cast, headers):
    return client.get(f"/api/v1/users/{cast.target.id}", headers=headers)


def public(path):
    return lambda client, cast, headers: client.get(path, headers=headers)


ACTIONS = [
    Action("create plan", create_plan, only(201), verify=verify_plan),
    Action("add macro-area", add_macro_area, only(201), verify=verify_macro_area),
    Action("create tavolo", create_tavolo, only(201), verify=verify_tavolo),
    Action("add member", add_member, only(200, "coordinator"), verify=verify_added),
    Action("promote member to coordinator", promote_member, only(200, "coordinator"), verify=verify_promoted),
    Action("remove member", remove_member, only(200, "coordinator"), verify=verify_removed),
    Action("register organisation", register_organisation, only(201), verify=verify_registered),
    Action("update organisation", update_organisation, only(200), verify=verify_updated),
    Action("grant global role", grant_role, only(200), verify=verify_granted),
    Action("revoke global role", revoke_role, only(200), verify=verify_revoked),
    Action("create user", create_user, only(201), verify=verify_user_created, after_refusal=user_not_left_behind),
    Action("invite to tavolo", invite_to_tavolo, only(201, "coordinator"), verify=verify_invited_to_tavolo,
           after_refusal=invitation_not_sent),
    Action("invite without tavolo", invite_without_tavolo, only(201), verify=verify_invited,
           after_refusal=invitation_not_sent),
    Action("move plan status", move_plan_status, only(200), verify=verify_moved),
    Action("create objective", create_objective, only(201, "coordinator"), verify=verify_objective),
    Action("list users", list_users, SIGNED_IN, writes=False, verify=verify_users_listed),
    Action("role history", role_history, only(200, "auditor"), writes=False, verify=verify_history),
    Action("me", me, SIGNED_IN, writes=False),
    Action("get user", get_user, SIGNED_IN, writes=False),
    Action("list plans", public("/api/v1/plans"), ANYONE, writes=False),
    Action("get plan", public(f"/api/v1/plans/{PLAN}"), ANYONE, writes=False),
    Action("get tavolo", public(f"/api/v1/plans/{PLAN}/tavoli/{OTHER_TAVOLO}"), ANYONE, writes=False),
    Action("list organisations", public("/api/v1/organisations"), ANYONE, writes=False),
    Action("healthz", public("/healthz"), ANYONE, writes=False),
    Action("openapi", public("/api/v1/openapi.json"), ANYONE, writes=False),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_permission(client, runtime, cast, mailbox, action, role):
    headers = cast.headers(role)
    if action.call in (promote_member, remove_member, get_user, list_users, role_history):
        cast.target  # noqa: B018 - seat the target before measuring the log
    if action.call is add_member or action.call is grant_role:
        cast.outsider  # noqa: B018
    if action.call is revoke_role:
        cast.former_auditor  # noqa: B018
    expected = action.expected[role]
    before = runtime.event_position()

    response = action.call(client, cast, headers)

    if expected >= 400:
        body = error_body(response, expected, {401: "unauthenticated", 403: "forbidden"}[expected])
        assert not ENGLISH.search(body["message"]), body["message"]  # our Italian text, not werkzeug's
        if expected == 401:
            assert body["message"] == "Autenticazione richiesta"
        assert runtime.event_position() == before, "a refused request recorded events"
        if action.after_refusal:
            action.after_refusal(client, cast, mailbox)
        return
    assert_allowed(runtime, response, expected, before, action.writes)
    if action.verify:
        action.verify(client, cast, response)


@pytest.mark.parametrize("role", ["member", "coordinator", "other_coordinator", "auditor", "admin"])
def test_me_reports_the_callers_roles(client, cast, role):
    person = getattr(cast, role)
    body = client.get("/api/v1/users/me", headers=person.headers).get_json()
    assert body["id"] == person.id and body["email"] == person.email
    expected = {"member": ["member"], "coordinator": ["coordinator"], "other_coordinator": ["coordinator"],
                "auditor": ["auditor"], "admin": ["admin"]}[role]
    assert body["roles"] == expected
    seats = {"member": [TAVOLO], "coordinator": [TAVOLO], "other_coordinator": [OTHER_TAVOLO]}.get(role, [])
    assert [seat["tavolo"] for seat in body["tavoli"]] == seats


def test_coordinator_may_remove_a_fellow_coordinator_but_a_demoted_one_may_not_manage(client, runtime, cast):
    """Permissions follow the write model: after losing the coordinator seat, refusal is immediate."""
    assert promote_member(client, cast, cast.coordinator.headers).status_code == 200
    demote = client.post(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/members", headers=cast.admin.headers,
                         json={"user_id": cast.coordinator.id, "role": "member"})
    assert demote.status_code == 200
    before = runtime.event_position()
    error_body(remove_member(client, cast, cast.coordinator.headers), 403, "forbidden")
    assert runtime.event_position() == before


def test_invited_coordinator_may_be_seated_as_coordinator_by_a_coordinator(client, cast):
    response = client.post("/api/v1/invitations", headers=cast.coordinator.headers, json={
        "email": INVITED, "name": "Irene Invitata", "plan": PLAN, "tavolo": TAVOLO, "role": "coordinator"})
    assert response.status_code == 201
    assert response.get_json()["id"] in _tavolo(client, cast)["coordinators"]


def test_coordinator_cannot_invite_into_another_tavolo(client, runtime, cast, mailbox):
    cast.coordinator  # noqa: B018
    before = runtime.event_position()
    response = client.post("/api/v1/invitations", headers=cast.coordinator.headers, json={
        "email": INVITED, "name": "Irene Invitata", "plan": PLAN, "tavolo": OTHER_TAVOLO})
    error_body(response, 403, "forbidden")
    assert runtime.event_position() == before
    assert mailbox.to(INVITED) == []
    assert INVITED not in [c.get("email") for c in client.get("/api/v1/users", headers=cast.admin.headers).get_json()]
