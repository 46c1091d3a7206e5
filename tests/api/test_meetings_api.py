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


# -- validation: 422 naming the field, nothing recorded ------------------------------------------------------
NAIVE = {**CONVENE, "starts_at": "2025-11-04T09:30:00"}
NO_PROPOSAL = "00000000-0000-4000-8000-000000000001"
BAD_INPUT = [
    ("convene: start without time zone", "post", "", NAIVE, "starts_at"),
    ("convene: start missing", "post", "", {k: v for k, v in CONVENE.items() if k != "starts_at"}, "starts_at"),
    ("convene: not a date", "post", "", {**CONVENE, "starts_at": "martedì mattina"}, "starts_at"),
    ("convene: a year UTC cannot hold", "post", "", {**CONVENE, "starts_at": "9999-12-31T23:00:00-12:00"}, "starts_at"),
    ("convene: a year no session has", "post", "", {**CONVENE, "starts_at": "2999-01-01T09:00:00+01:00"}, "starts_at"),
    ("convene: unknown key", "post", "", {**CONVENE, "colore": "blu"}, "colore"),
    ("convene: blank title", "post", "", {**CONVENE, "title": "  "}, "title"),
    ("convene: empty agenda", "post", "", {**CONVENE, "agenda": []}, "agenda"),
    ("convene: agenda item without title", "post", "", {**CONVENE, "agenda": [{"objective_ref": "A.1"}]}, "agenda"),
    ("convene: agenda item, unknown key", "post", "", {**CONVENE, "agenda": [{"title": "x", "ora": 9}]}, "agenda"),
    ("convene: unknown objective", "post", "", {**CONVENE, "agenda": [{"title": "x", "objective_ref": "Z.9"}]},
     "agenda"),
    ("convene: neither place nor link", "post", "", {**CONVENE, "place": None}, "place"),
    ("convene: link not a web address", "post", "", {**CONVENE, "link": "zoom 123"}, "link"),
    ("agenda: missing", "put", "/{id}/agenda", {}, "agenda"),
    ("attendance: present missing", "post", "/{id}/attendance", {"organisation": "acli"}, "present"),
    ("attendance: negative people", "post", "/{id}/attendance", {"organisation": "acli", "present": True,
                                                                 "people": -1}, "people"),
    ("attendance: people as text", "post", "/{id}/attendance", {"organisation": "acli", "present": True,
                                                                "people": "3"}, "people"),
    ("attendance: absent with people", "post", "/{id}/attendance", {"organisation": "acli", "present": False,
                                                                    "people": 2}, "people"),
    ("attendance: unknown organisation", "post", "/{id}/attendance", {"organisation": "nessuna", "present": True},
     "organisation"),
    ("contribution: unknown quadrant", "post", "/{id}/contributions", {"quadrant": "lavagna", "text": "x",
                                                                       "organisation": "caritas"}, "quadrant"),
    ("contribution: blank text", "post", "/{id}/contributions", {"quadrant": "risorse_disponibili", "text": " ",
                                                                 "organisation": "caritas"}, "text"),
    ("contribution: organisation not present", "post", "/{id}/contributions",
     {"quadrant": "risorse_disponibili", "text": "x", "organisation": "acli"}, "organisation"),
    ("contribution: unknown objective", "post", "/{id}/contributions",
     {"quadrant": "risorse_disponibili", "text": "x", "organisation": "caritas", "objectives": ["Z.9"]}, "objectives"),
    ("contribution: malformed proposal id", "post", "/{id}/contributions",
     {"quadrant": "risorse_disponibili", "text": "x", "organisation": "caritas", "proposals": ["abc"]}, "proposals"),
    ("contribution: unknown proposal", "post", "/{id}/contributions",
     {"quadrant": "risorse_disponibili", "text": "x", "organisation": "caritas", "proposals": [NO_PROPOSAL]},
     "proposals"),
    ("links: nothing to link", "post", "/{id}/contributions/{cid}/links", {"objectives": [], "proposals": []},
     "objectives"),
    ("links: unknown objective", "post", "/{id}/contributions/{cid}/links", {"objectives": ["Z.9"]}, "objectives"),
    ("minutes: blank text", "put", "/{id}/minutes", {"text": ""}, "text"),
]


@pytest.mark.parametrize(("method", "suffix", "body", "field"), [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_refused_naming_the_field_and_records_nothing(client, runtime, cast, meeting, method, suffix,
                                                                   body, field):
    [contribution] = contribution_ids(client, cast, meeting)
    url = BASE + suffix.format(id=meeting, cid=contribution)
    cast.coordinator  # noqa: B018 - seated before measuring the log
    with records_nothing(runtime):
        response = getattr(client, method)(url, headers=cast.coordinator.headers, json=body)
    details = error_body(response, 422, "validation_failed")["details"]
    assert field in details, details


# -- contributions: who speaks for which organisation ----------------------------------------------------------
def test_a_member_speaks_for_their_own_organisation_only(client, runtime, cast, meeting):
    url = f"{BASE}/{meeting}/contributions"
    own = client.post(url, headers=cast.member.headers, json={"quadrant": "lavoro_di_rete", "text": "Rete Caritas"})
    assert own.status_code == 201
    [item] = [c for c in detail(client, cast, meeting)["contributions"]["lavoro_di_rete"]]
    assert (item["organisation"], item["organisation_name"], item["author"]) == (
        "caritas", "Caritas diocesana", cast.member.id)
    runtime.wait_for(runtime.app.record_meeting_attendance(PLAN, TAVOLO, meeting, "acli", True, 1, SYSTEM))
    with records_nothing(runtime):
        other = client.post(url, headers=cast.member.headers,
                            json={"quadrant": "lavoro_di_rete", "text": "x", "organisation": "acli"})
    error_body(other, 403, "forbidden")


def test_a_coordinator_transcribes_for_any_organisation_present(client, runtime, cast, meeting):
    runtime.wait_for(runtime.app.record_meeting_attendance(PLAN, TAVOLO, meeting, "acli", True, 1, SYSTEM))
    response = client.post(f"{BASE}/{meeting}/contributions", headers=cast.coordinator.headers, json={
        "quadrant": "proposte_concrete", "text": "Tavolo permanente sui giovani", "organisation": "acli"})
    assert response.status_code == 201
    [item] = detail(client, cast, meeting)["contributions"]["proposte_concrete"]
    assert (item["organisation"], item["author"]) == ("acli", cast.coordinator.id)


def test_a_member_without_organisation_must_be_told_which_one(client, runtime, cast, meeting):
    cast.target  # noqa: B018 - a member with no organisation, seated before measuring the log
    with records_nothing(runtime):
        response = client.post(f"{BASE}/{meeting}/contributions", headers=cast.target.headers,
                               json={"quadrant": "lavoro_di_rete", "text": "x"})
    assert "organisation" in error_body(response, 422, "validation_failed")["details"]


def test_links_accumulate_and_a_member_may_link_their_own_contribution(client, runtime, cast, meeting, world):
    created = client.post(f"{BASE}/{meeting}/contributions", headers=cast.member.headers, json={
        "quadrant": "proposte_concrete", "text": "Uno sportello unico", "objectives": ["A.1"]})
    contribution = created.get_json()["id"]
    url = f"{BASE}/{meeting}/contributions/{contribution}/links"
    assert client.post(url, headers=cast.member.headers, json={"proposals": [world]}).status_code == 200
    assert client.post(url, headers=cast.coordinator.headers, json={"objectives": ["A.2", "A.1"]}).status_code == 200
    [item] = detail(client, cast, meeting)["contributions"]["proposte_concrete"]
    assert (item["objectives"], item["proposals"]) == (["A.1", "A.2"], [world])
    with records_nothing(runtime):
        again = client.post(url, headers=cast.coordinator.headers, json={"objectives": ["A.2"]})
    error_body(again, 409, "conflict")


def test_a_proposal_of_another_plan_cannot_be_linked(client, runtime, cast, meeting):
    app, foreign = runtime.app, uuid.uuid4()
    app.create_plan("piano-due", "Altro piano", "Ambito", 2025, 2027, SYSTEM)
    app.add_macro_area("piano-due", "A", "Povertà", [], SYSTEM)
    app.create_tavolo("piano-due", "t", "Tavolo", ["A"], SYSTEM)
    runtime.wait_for(app.propose_new_objective(foreign, "piano-due", "t", "A", {"title": "Altro"}, None, cast.admin.id))
    [contribution] = contribution_ids(client, cast, meeting)
    cast.coordinator  # noqa: B018
    with records_nothing(runtime):
        response = client.post(f"{BASE}/{meeting}/contributions/{contribution}/links",
                               headers=cast.coordinator.headers, json={"proposals": [str(foreign)]})
    assert "proposals" in error_body(response, 422)["details"]


def test_objectives_are_stored_by_id_so_a_rename_shows_the_new_ref(client, runtime, cast, meeting):
    runtime.wait_for(runtime.app.rename_objective(PLAN, "A.1", "A.10", SYSTEM))
    assert detail(client, cast, meeting)["agenda"] == [{"title": "Avvio", "objective_ref": "A.10"}]


# -- lists, unknown sessions -------------------------------------------------------------------------------------------
def test_sessions_are_listed_by_start_time_whatever_the_offset(client, runtime, cast, meeting):
    early = uuid.uuid4()  # 08:00 UTC, before the fixture's 08:30 UTC although written "later" in local time
    runtime.wait_for(runtime.app.convene_meeting(early, PLAN, TAVOLO, "Online", "2025-11-04T10:00:00+02:00", None,
                                                 "https://meet.example/tavolo", [{"title": "Punto"}], SYSTEM))
    sessions = client.get(BASE, headers=cast.member.headers).get_json()
    assert [s["id"] for s in sessions] == [str(early), meeting]
    other = client.get(f"/api/v1/plans/{PLAN}/tavoli/{OTHER_TAVOLO}/sessions", headers=cast.admin.headers)
    assert other.get_json() == []


def test_a_recorded_session_time_utc_cannot_hold_does_not_stop_the_read_models(client, runtime, cast, meeting):
    """Before years were checked a session could be convened at 9999-12-31T23:00-12:00, which has no
    UTC time: the read models sort it last instead of failing on it for good."""
    from server.events.meeting import Meeting

    late = Meeting(id=uuid.uuid4(), plan_key=PLAN, tavolo=TAVOLO, title="Remota", starts_at="9999-12-31T23:00:00-12:00",
                   place="Sala", link=None, agenda=[{"title": "Punto", "objective_id": None}], actor=SYSTEM)
    runtime.app.save(late)
    assert runtime.projector.run_once() == 1 and runtime.projector.position() == runtime.event_position()
    sessions = client.get(BASE, headers=cast.member.headers).get_json()
    assert [s["id"] for s in sessions] == [meeting, str(late.id)]


@pytest.mark.parametrize("path", [f"{BASE}/00000000-0000-4000-8000-000000000000", f"{BASE}/non-un-id",
                                  f"/api/v1/plans/{PLAN}/tavoli/{OTHER_TAVOLO}/sessions/{{id}}",
                                  f"/api/v1/plans/{PLAN}/tavoli/nessuno/sessions"])
def test_unknown_sessions_and_tavoli_are_404(client, cast, meeting, path):
    error_body(client.get(path.format(id=meeting), headers=cast.admin.headers), 404, "not_found")
    write = client.put(path.format(id=meeting) + "/minutes", headers=cast.admin.headers, json={"text": "x"})
    assert write.status_code in (404, 405)


# -- minutes and closing ---------------------------------------------------------------------------------------------
def test_generated_minutes_name_who_was_there_and_file_contributions_by_quadrant(client, runtime, cast, meeting):
    app = runtime.app
    app.record_meeting_attendance(PLAN, TAVOLO, meeting, "acli", True, None, SYSTEM)
    app.record_meeting_attendance(PLAN, TAVOLO, meeting, "comune-cremona", False, None, SYSTEM)
    app.add_meeting_contribution(PLAN, TAVOLO, meeting, "questioni_problematiche", "Solitudine degli anziani",
                                 "acli", ["A.2"], [], cast.admin.id)
    runtime.wait_for(runtime.event_position())
    body = client.get(f"{BASE}/{meeting}/minutes", headers=cast.member.headers).get_json()
    assert body["edited"] is None and body["final"] is None
    text = body["generated"]
    assert "Tavolo «Tavolo Inclusione» – Piano di Zona di prova" in text
    assert "Data e ora: martedì 4 novembre 2025, ore 9:30 (ora italiana)" in text and "Luogo: Sala A" in text
    assert "1. Avvio (obiettivo A.1)" in text
    present = text[text.index("ORGANIZZAZIONI PRESENTI (2)"):text.index("ORGANIZZAZIONI ASSENTI")]
    assert "- ACLI provinciali\n" in present and "- Caritas diocesana (3 persone)" in present
    absent = text[text.index("ORGANIZZAZIONI ASSENTI (1)"):text.index("QUADRANTI DI SINTESI")]
    assert "- Comune di Cremona" in absent
    problems = text[text.index("1. QUESTIONI PROBLEMATICHE"):text.index("2. RISORSE DISPONIBILI")]
    assert "- ACLI provinciali: Solitudine degli anziani\n  Collegato a: obiettivo A.2" in problems
    resources = text[text.index("2. RISORSE DISPONIBILI"):text.index("3. PROPOSTE CONCRETE DI LAVORO")]
    assert "- Caritas diocesana: Centro di ascolto aperto tre giorni" in resources
    assert text[text.index("4. CONTRIBUTO DEL LAVORO DI RETE"):].count("Nessun contributo.") == 1


def test_a_tavolo_organisation_missing_from_the_sheet_counts_as_absent(client, runtime, cast, world):
    meeting_id = uuid.uuid4()
    runtime.wait_for(runtime.app.convene_meeting(meeting_id, PLAN, TAVOLO, "Seduta", "2025-12-01T15:00:00+01:00",
                                                 "Sala B", None, [{"title": "Punto"}], SYSTEM))
    text = client.get(f"{BASE}/{meeting_id}/minutes", headers=cast.admin.headers).get_json()["generated"]
    assert "ORGANIZZAZIONI PRESENTI (0)\nNessuna." in text
    assert "ORGANIZZAZIONI ASSENTI (1)\n- Caritas diocesana" in text


def test_closing_records_the_generated_minutes_and_freezes_the_meeting(client, runtime, cast, meeting):
    generated = client.get(f"{BASE}/{meeting}/minutes", headers=cast.coordinator.headers).get_json()["generated"]
    response = close(client, cast, cast.coordinator.headers, meeting)
    assert response.status_code == 200 and response.get_json()["minutes"] == generated
    for call in (change_agenda, record_attendance, contribute, link, edit_minutes, close):
        with records_nothing(runtime):
            refused = call(client, cast, cast.coordinator.headers, meeting)
        assert error_body(refused, 409, "conflict")["details"] == {"status": "closed"}, call.__name__
    body = client.get(f"{BASE}/{meeting}/minutes", headers=cast.auditor.headers).get_json()
    assert body["final"] == generated
    assert detail(client, cast, meeting)["status"] == "closed"


def test_closing_records_the_edited_minutes_when_coordinators_edited_them(client, runtime, cast, meeting):
    assert edit_minutes(client, cast, cast.coordinator.headers, meeting).status_code == 200
    response = close(client, cast, cast.admin.headers, meeting)
    assert response.get_json()["minutes"] == "Verbale rivisto."
    assert detail(client, cast, meeting)["minutes"] == "Verbale rivisto."


def test_closing_with_minutes_generated_from_an_older_version_is_refused(runtime, meeting):
    before = runtime.event_position()
    with pytest.raises(Conflict):
        runtime.app.close_meeting(PLAN, TAVOLO, meeting, "Verbale vecchio", 1, SYSTEM)
    assert runtime.event_position() == before


# -- read models ------------------------------------------------------------------------------------------------------
def meeting_rows(runtime) -> list:
    with runtime.sessions() as session:
        return [[{c.name: getattr(row, c.name) for c in table.__table__.columns}
                 for row in session.scalars(select(table).order_by(*table.__table__.primary_key.columns))]
                for table in (MeetingRow, AttendanceRow, ContributionRow)]


def test_a_rebuild_gives_identical_meeting_rows(client, runtime, cast, meeting, world):
    for call in (change_agenda, record_attendance, link, contribute, edit_minutes, close):
        assert call(client, cast, cast.coordinator.headers, meeting).status_code in (200, 201), call.__name__
    before = meeting_rows(runtime)
    assert all(before)
    runtime.projector.rebuild()
    assert meeting_rows(runtime) == before
