"""Read endpoints of plans and tavoli: the contract's fields, read-your-writes, personal data, /healthz."""
from __future__ import annotations

from tests.api.api_helpers import PLAN, TAVOLO, error_body, login_browser

PLAN_FIELDS = {"key", "title", "ambito", "period", "status"}
TAVOLO_FIELDS = {"key", "name", "macro_areas", "coordinators", "members"}


def test_list_plans_has_the_contract_fields(client, plan_with_tavolo):
    response = client.get("/api/v1/plans")
    assert response.status_code == 200
    plans = response.get_json()
    assert plans == [{"key": PLAN, "title": "Piano di Zona di prova", "ambito": "Ambito di prova",
                      "period": {"from": 2025, "to": 2027}, "status": "drafting"}]


def test_list_plans_is_empty_on_a_new_instance(client):
    assert client.get("/api/v1/plans").get_json() == []


def test_plan_detail_has_the_contract_fields(client, people, plan_with_tavolo):
    coordinator = people.seat(people.create(), PLAN, TAVOLO, "coordinator")
    member = people.seat(people.create(), PLAN, TAVOLO, "member")
    response = client.get(f"/api/v1/plans/{PLAN}")
    assert response.status_code == 200
    plan = response.get_json()
    assert PLAN_FIELDS | {"macro_areas", "tavoli", "objectives"} <= set(plan)
    assert {k: plan[k] for k in PLAN_FIELDS} == {
        "key": PLAN, "title": "Piano di Zona di prova", "ambito": "Ambito di prova",
        "period": {"from": 2025, "to": 2027}, "status": "drafting"}
    assert plan["macro_areas"] == [{"code": "A", "name": "Contrasto alla povertà",
                                    "key_points": ["Contrasto all'isolamento"]}]
    assert len(plan["tavoli"]) == 1
    tavolo = plan["tavoli"][0]
    assert TAVOLO_FIELDS <= set(tavolo)
    assert tavolo["key"] == TAVOLO and tavolo["name"] == "Tavolo Inclusione" and tavolo["macro_areas"] == ["A"]
    assert tavolo["coordinators"] == [coordinator.id]
    assert tavolo["members"] == [member.id]
    assert plan["objectives"] == []


def test_plan_detail_lists_tavoli_in_creation_order(client, runtime, people, plan_with_tavolo):
    admin = people.create("admin")
    for key in ("zeta", "alfa"):
        assert client.post(f"/api/v1/plans/{PLAN}/tavoli", headers=admin.headers,
                           json={"key": key, "name": key.title()}).status_code == 201
    assert [t["key"] for t in client.get(f"/api/v1/plans/{PLAN}").get_json()["tavoli"]] == [TAVOLO, "zeta", "alfa"]


def test_writes_are_visible_to_the_immediate_next_read(client, runtime, people):
    """Read-your-writes: no waiting, no retries between a write and the GET that follows it."""
    admin = people.create("admin")
    created = client.post("/api/v1/plans", headers=admin.headers, json={
        "key": "piano-rw", "title": "Piano RW", "ambito": "Ambito RW", "period": {"from": 2024, "to": 2026},
        "lead_body": "Comune capofila", "municipalities": ["Lecco", "Merate"]})
    assert created.status_code == 201
    assert created.get_json() == {"key": "piano-rw", "position": runtime.event_position()}
    assert "piano-rw" in [p["key"] for p in client.get("/api/v1/plans").get_json()]
    detail = client.get("/api/v1/plans/piano-rw").get_json()
    assert detail["lead_body"] == "Comune capofila" and detail["municipalities"] == ["Lecco", "Merate"]

    area = client.post("/api/v1/plans/piano-rw/macro-areas", headers=admin.headers,
                       json={"code": "A", "name": "Povertà", "key_points": ["Reddito"]})
    assert area.status_code == 201 and area.get_json() == {"position": runtime.event_position()}
    assert [a["code"] for a in client.get("/api/v1/plans/piano-rw").get_json()["macro_areas"]] == ["A"]

    tavolo = client.post("/api/v1/plans/piano-rw/tavoli", headers=admin.headers,
                         json={"key": "poverta", "name": "Tavolo Povertà", "macro_areas": ["A"],
                               "mandate": "Programmare"})
    assert tavolo.status_code == 201 and tavolo.get_json() == {"key": "poverta", "position": runtime.event_position()}
    shown = client.get("/api/v1/plans/piano-rw/tavoli/poverta").get_json()
    assert shown["mandate"] == "Programmare" and shown["macro_areas"] == ["A"]

    person = people.create()
    seated = client.post("/api/v1/plans/piano-rw/tavoli/poverta/members", headers=admin.headers,
                         json={"user_id": person.id})
    assert seated.status_code == 200 and seated.get_json() == {"position": runtime.event_position()}
    assert client.get("/api/v1/plans/piano-rw/tavoli/poverta").get_json()["members"] == [person.id]
    # and the person's own powers change at once
    assert client.get("/api/v1/users/me", headers=person.headers).get_json()["tavoli"] == [
        {"plan": "piano-rw", "tavolo": "poverta", "role": "member"}]

    promoted = client.post("/api/v1/plans/piano-rw/tavoli/poverta/members", headers=admin.headers,
                           json={"user_id": person.id, "role": "coordinator"})
    assert promoted.status_code == 200
    shown = client.get("/api/v1/plans/piano-rw/tavoli/poverta").get_json()
    assert shown["coordinators"] == [person.id] and shown["members"] == []

    removed = client.delete(f"/api/v1/plans/piano-rw/tavoli/poverta/members/{person.id}", headers=admin.headers)
    assert removed.status_code == 200 and removed.get_json() == {"position": runtime.event_position()}
    shown = client.get("/api/v1/plans/piano-rw/tavoli/poverta").get_json()
    assert shown["coordinators"] == [] and shown["members"] == []
    assert client.get("/api/v1/users/me", headers=person.headers).get_json()["tavoli"] == []


def test_organisation_writes_are_visible_at_once(client, people):
    admin = people.create("admin")
    assert client.post("/api/v1/organisations", headers=admin.headers,
                       json={"key": "comune-lecco", "name": "Comune di Lecco", "kind": "comune"}).status_code == 201
    assert {"key": "comune-lecco", "name": "Comune di Lecco", "kind": "comune"} in client.get(
        "/api/v1/organisations").get_json()
    assert client.put("/api/v1/organisations/comune-lecco", headers=admin.headers,
                      json={"name": "Città di Lecco", "kind": "comune"}).status_code == 200
    assert {"key": "comune-lecco", "name": "Città di Lecco", "kind": "comune"} in client.get(
        "/api/v1/organisations").get_json()


# -- the tavolo and personal data ---------------------------------------------------------------------
def test_tavolo_shows_names_only_to_signed_in_people(app, client, people, plan_with_tavolo):
    coordinator = people.seat(people.create(name="Carla Coordinatrice", organisation="caritas"), PLAN, TAVOLO,
                              "coordinator")
    member = people.seat(people.create(name="Marco Membro"), PLAN, TAVOLO)
    outsider = people.create(name="Ugo Esterno")

    anonymous = client.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}")
    assert anonymous.status_code == 200
    public = anonymous.get_json()
    assert TAVOLO_FIELDS <= set(public)
    assert public["coordinators"] == [coordinator.id] and public["members"] == [member.id]
    assert public["organisations"] == ["caritas"] and public["mandate"] == "Programmare gli interventi"
    text = anonymous.get_data(as_text=True)
    for secret in ("Carla Coordinatrice", "Marco Membro", coordinator.email, member.email):
        assert secret not in text

    signed_in = client.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}", headers=outsider.headers).get_json()
    cards = {card["id"]: card for card in signed_in["people"]}
    assert cards[coordinator.id]["name"] == "Carla Coordinatrice"
    assert cards[coordinator.id]["role"] == "coordinator"
    assert cards[coordinator.id]["organisation"] == "caritas"
    assert cards[member.id]["name"] == "Marco Membro" and cards[member.id]["role"] == "member"
    # e-mail addresses: only to admins and to the person themself
    assert "email" not in cards[coordinator.id] and "email" not in cards[member.id]
    own = client.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}", headers=member.headers).get_json()
    assert {c["id"]: c for c in own["people"]}[member.id]["email"] == member.email
    admin = people.create("admin")
    by_admin = client.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}", headers=admin.headers).get_json()
    assert {c["id"]: c.get("email") for c in by_admin["people"]} == {coordinator.id: coordinator.email,
                                                                      member.id: member.email}
    # the browser session counts as signed in too
    browser, _ = login_browser(app, outsider.email)
    names = [c["name"] for c in browser.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}").get_json()["people"]]
    assert sorted(names) == ["Carla Coordinatrice", "Marco Membro"]


def test_user_list_and_cards_do_not_leak_emails_to_non_admins(client, people):
    admin = people.create("admin")
    someone = people.create(name="Sofia Qualcuno")
    viewer = people.create()
    cards = {c["id"]: c for c in client.get("/api/v1/users", headers=viewer.headers).get_json()}
    assert cards[someone.id]["name"] == "Sofia Qualcuno" and "email" not in cards[someone.id]
    assert cards[viewer.id]["email"] == viewer.email
    assert client.get(f"/api/v1/users/{someone.id}", headers=viewer.headers).get_json().get("email") is None
    assert client.get(f"/api/v1/users/{someone.id}", headers=admin.headers).get_json()["email"] == someone.email


# -- health ---------------------------------------------------------------------------------------------
def test_healthz_reports_positions(client, runtime, people):
    empty = client.get("/healthz")
    assert empty.status_code == 200
    assert {"ok", "position", "projection_position"} <= set(empty.get_json())
    assert empty.get_json()["ok"] is True

    admin = people.create("admin")
    written = client.post("/api/v1/organisations", headers=admin.headers,
                          json={"key": "acli", "name": "ACLI", "kind": "ets"}).get_json()["position"]
    health = client.get("/healthz").get_json()
    assert health["ok"] is True
    assert health["position"] == written == runtime.event_position()
    assert health["projection_position"] == health["position"]


def test_healthz_shows_projections_lagging_behind(client, runtime, people, plan_with_tavolo):
    """An event recorded but not yet projected (the projector thread is off in tests) shows as lag."""
    from server.application import SYSTEM

    position = runtime.app.register_organisation("acli", "ACLI", "ets", SYSTEM)
    health = client.get("/healthz").get_json()
    assert health["position"] == position
    assert health["projection_position"] < position
    runtime.wait_for(position)
    health = client.get("/healthz").get_json()
    assert health["projection_position"] == health["position"] == position


def test_stalled_read_models_refuse_writes_instead_of_recording_them_unseen(client, runtime, people):
    """An event that no longer decodes stops every projector batch: the write that meets it is said to be
    recorded (not refused: its author would do it again), the next ones are refused before anything is
    recorded, /healthz says so; once the event is restored everything goes through and nothing is lost."""
    from server.application import SYSTEM
    from tests.projections.test_chain import run_sql, stored_state

    admin = people.create("admin")
    broken = runtime.app.register_organisation("acli", "ACLI", "ets", SYSTEM)  # recorded, not yet projected
    original = stored_state(runtime, broken)
    run_sql(runtime, "UPDATE stored_events SET state = ? WHERE rowid = ?", original[:-1] + b"@@", broken)

    def create(key: str):
        return client.post("/api/v1/organisations", headers=admin.headers, json={"key": key, "name": key, "kind": "ets"})

    recorded = error_body(create("arci"), 503, "read_models_stalled")
    assert recorded["message"].startswith(f"La modifica è stata registrata (posizione {broken + 1})")
    assert recorded["details"] == {"position": broken + 1, "stalled_at": broken - 1}
    assert runtime.event_position() == broken + 1

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["ok"] is False and health.get_json()["stalled"]["position"] == broken - 1
    assert "MapperDeserialisationError" in health.get_json()["stalled"]["error"]

    refused = error_body(create("auser"), 503, "read_models_stalled")
    assert refused["message"].startswith("Nessuna modifica è stata registrata")
    assert refused["details"] == {"stalled_at": broken - 1}
    assert runtime.event_position() == broken + 1

    run_sql(runtime, "UPDATE stored_events SET state = ? WHERE rowid = ?", original, broken)
    assert create("auser").status_code == 201
    assert client.get("/healthz").get_json()["ok"] is True
    keys = {o["key"] for o in client.get("/api/v1/organisations", headers=admin.headers).get_json()}
    assert {"acli", "arci", "auser"} <= keys


def test_unknown_tavolo_of_a_known_plan_is_404(client, plan_with_tavolo):
    body = error_body(client.get(f"/api/v1/plans/{PLAN}/tavoli/ignoto"), 404, "not_found")
    assert body["details"] == {"tavolo": "ignoto"}
