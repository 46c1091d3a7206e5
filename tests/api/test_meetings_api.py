"""Sessions of a tavolo through the API: who may do what, validation, the quadranti, minutes, closing,
and read models that a rebuild gives back identical."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server.application import SYSTEM
from server.events.errors import Conflict
from server.projections.meetings import AttendanceRow, ContributionRow, MeetingRow
from tests.api.api_helpers import OTHER_TAVOLO, PLAN, TAVOLO, error_body, records_nothing

BASE = f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/sessions"
ROLES = ("anonymous", "member", "coordinator", "other_coordinator", "auditor", "outsider", "admin")
CONVENE = {"title": "Prima seduta del tavolo", "starts_at": "2025-11-04T09:30:00+01:00",
           "place": "Sala consiliare, Comune di Cremona",
           "agenda": [{"title": "Presentazione del percorso"}, {"title": "Povertà educativa", "objective_ref": "A.1"}]}


def allowed(ok: int, *roles: str) -> dict:
    """`ok` for the given roles, 401 for anonymous, 403 for everybody else."""
    return {role: ok if role in roles else 403 for role in ROLES} | {"anonymous": 401}


READ = allowed(200, "member", "coordinator", "auditor", "admin")
COORDINATE = allowed(200, "coordinator", "admin")


@pytest.fixture
def world(runtime, cast):
    """Organisations (caritas sits at the tavolo), objective A.1, a proposal; returns the proposal id."""
    app = runtime.app
    app.register_organisation("acli", "ACLI provinciali", "ets", SYSTEM)
    app.register_organisation("comune-cremona", "Comune di Cremona", "comune", SYSTEM)
    app.create_objective(PLAN, uuid.uuid4(), "A.1", "A", TAVOLO, {"title": "Contrasto alla povertà educativa"}, SYSTEM)
    app.create_objective(PLAN, uuid.uuid4(), "A.2", "A", TAVOLO, {"title": "Rete contro l'isolamento"}, SYSTEM)
    proposal_id = uuid.uuid4()
    runtime.wait_for(app.propose_new_objective(proposal_id, PLAN, TAVOLO, "A", {"title": "Sportello unico"}, None,
                                               cast.admin.id))
    return str(proposal_id)


@pytest.fixture
def meeting(runtime, cast, world) -> str:
    """A convened session where caritas is present (3 people) with one contribution, by the admin."""
    app, meeting_id = runtime.app, uuid.uuid4()
    app.convene_meeting(meeting_id, PLAN, TAVOLO, "Seduta di novembre", "2025-11-04T09:30:00+01:00", "Sala A", None,
                        [{"title": "Avvio", "objective_ref": "A.1"}], SYSTEM)
    app.record_meeting_attendance(PLAN, TAVOLO, str(meeting_id), "caritas", True, 3, SYSTEM)
    _, position = app.add_meeting_contribution(PLAN, TAVOLO, str(meeting_id), "risorse_disponibili",
                                               "Centro di ascolto aperto tre giorni", "caritas", [], [], cast.admin.id)
    runtime.wait_for(position)
    return str(meeting_id)


def contribution_ids(client, cast, meeting_id) -> list[str]:
    body = client.get(f"{BASE}/{meeting_id}", headers=cast.admin.headers).get_json()
    return [c["id"] for items in body["contributions"].values() for c in items]


def detail(client, cast, meeting_id) -> dict:
    response = client.get(f"{BASE}/{meeting_id}", headers=cast.admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# -- each endpoint, each role ------------------------------------------------------------------------------------
def convene(client, cast, headers, meeting_id):
    return client.post(BASE, headers=headers, json=CONVENE)


def verify_convened(client, cast, response, meeting_id):
    body = detail(client, cast, response.get_json()["id"])
    assert body["title"] == CONVENE["title"] and body["starts_at"] == "2025-11-04T09:30:00+01:00"
    assert body["agenda"] == [{"title": "Presentazione del percorso", "objective_ref": None},
                              {"title": "Povertà educativa", "objective_ref": "A.1"}]
    assert body["status"] == "open" and body["place"] == CONVENE["place"] and body["link"] is None


def change_agenda(client, cast, headers, meeting_id):
    return client.put(f"{BASE}/{meeting_id}/agenda", headers=headers,
                      json={"agenda": [{"title": "Rete territoriale", "objective_ref": "A.2"}]})


def verify_agenda(client, cast, response, meeting_id):
    assert detail(client, cast, meeting_id)["agenda"] == [{"title": "Rete territoriale", "objective_ref": "A.2"}]


def record_attendance(client, cast, headers, meeting_id):
    return client.post(f"{BASE}/{meeting_id}/attendance", headers=headers,
                       json={"organisation": "acli", "present": True, "people": 2})


def verify_attendance(client, cast, response, meeting_id):
    assert {"organisation": "acli", "name": "ACLI provinciali", "present": True, "people": 2,
            "position": response.get_json()["position"]} in detail(client, cast, meeting_id)["attendance"]


def contribute(client, cast, headers, meeting_id):
    return client.post(f"{BASE}/{meeting_id}/contributions", headers=headers, json={
        "quadrant": "questioni_problematiche", "text": "Anziani soli nelle frazioni", "organisation": "caritas",
        "objectives": ["A.1"]})


def verify_contribution(client, cast, response, meeting_id):
    items = detail(client, cast, meeting_id)["contributions"]["questioni_problematiche"]
    [item] = [c for c in items if c["id"] == response.get_json()["id"]]
    assert (item["organisation"], item["text"], item["objectives"]) == ("caritas", "Anziani soli nelle frazioni",
                                                                        ["A.1"])


def link(client, cast, headers, meeting_id):
    [contribution] = contribution_ids(client, cast, meeting_id)
    return client.post(f"{BASE}/{meeting_id}/contributions/{contribution}/links", headers=headers,
                       json={"objectives": ["A.2"], "proposals": []})


def verify_link(client, cast, response, meeting_id):
    [item] = detail(client, cast, meeting_id)["contributions"]["risorse_disponibili"]
    assert item["objectives"] == ["A.2"]


def edit_minutes(client, cast, headers, meeting_id):
    return client.put(f"{BASE}/{meeting_id}/minutes", headers=headers, json={"text": "Verbale rivisto."})


def verify_minutes(client, cast, response, meeting_id):
    assert client.get(f"{BASE}/{meeting_id}/minutes", headers=cast.admin.headers).get_json()["edited"] == (
        "Verbale rivisto.")


def close(client, cast, headers, meeting_id):
    return client.post(f"{BASE}/{meeting_id}/close", headers=headers)


def verify_closed(client, cast, response, meeting_id):
    body = detail(client, cast, meeting_id)
    assert body["status"] == "closed" and body["minutes"] == response.get_json()["minutes"]
    assert "Caritas diocesana" in body["minutes"]


def read(suffix: str):
    return lambda client, cast, headers, meeting_id: client.get(BASE + suffix.format(id=meeting_id), headers=headers)


ACTIONS = {
    "convene": (convene, {**COORDINATE, "coordinator": 201, "admin": 201}, verify_convened),
    "change agenda": (change_agenda, COORDINATE, verify_agenda),
    "record attendance": (record_attendance, COORDINATE, verify_attendance),
    "add contribution": (contribute, allowed(201, "member", "coordinator", "admin"), verify_contribution),
    "link contribution": (link, COORDINATE, verify_link),
    "edit minutes": (edit_minutes, COORDINATE, verify_minutes),
    "close": (close, COORDINATE, verify_closed),
    "list": (read(""), READ, None),
    "detail": (read("/{id}"), READ, None),
    "minutes": (read("/{id}/minutes"), READ, None),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ACTIONS)
def test_permission(client, runtime, cast, meeting, name, role):
    call, expected, verify = ACTIONS[name]
    headers = cast.headers(role)
    before = runtime.event_position()

    response = call(client, cast, headers, meeting)

    status = expected[role]
    if status >= 400:
        error_body(response, status, {401: "unauthenticated", 403: "forbidden"}[status])
        assert runtime.event_position() == before, "a refused request recorded events"
        return
    assert response.status_code == status, response.get_data(as_text=True)
    if verify is None:
        assert runtime.event_position() == before
        return
    assert response.get_json()["position"] == runtime.event_position() > before
    verify(client, cast, response, meeting)
