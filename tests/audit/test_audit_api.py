"""The replay and audit endpoints: state, objective at a moment, diff, certified snapshot, verify;
their permissions and their 422s."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.projections.chain import ChainRow
from server.projections.history import HistoryRow
from tests.api.api_helpers import error_body, login_browser, records_nothing
from tests.audit.helpers import KEY, World, body
from tests.projections.test_chain import run_sql, stored_state


@pytest.fixture
def world(client, people):
    return World(client, people)


def test_verify_is_for_auditors_and_admins(world, runtime):
    path = "/audit/verify"
    error_body(world.get(path), 401)
    for who in (world.luca, world.coordinator, world.outsider):
        error_body(world.get(path, who), 403, "forbidden")
    for who in (world.auditor, world.admin):
        report = body(world.get(path, who))
        assert report["ok"] is True and report["first_bad_position"] is None
        assert report["events"] == runtime.event_position() and len(report["head"]) == 64
    with runtime.sessions() as s:
        assert report["head"] == s.scalar(select(ChainRow.link).order_by(ChainRow.position.desc()).limit(1))


def test_the_history_page_verifies_for_auditors_and_admins_only(app, world, runtime):
    """The page's "Verifica integrità" asks the same application function as the API: same rule, same words."""
    refusal = error_body(world.get("/audit/verify", world.luca), 403, "forbidden")["message"]
    for who, allowed in ((world.luca, False), (world.coordinator, False), (world.auditor, True), (world.admin, True)):
        browser, _ = login_browser(app, who.email)
        page = browser.get(f"/piani/{KEY}/storia?verifica=1").get_data(as_text=True)
        assert ("Catena integra." in page) is allowed, who
        assert (refusal in html.unescape(page)) is not allowed, who


def test_the_state_at_a_moment_is_the_plan_as_it_was_then(world, runtime):
    before = body(world.get(f"/plans/{KEY}"))
    position = runtime.event_position()
    changed = world.propose(world.luca, "A.1", {"context": "Nuovo contesto"})
    world.decide(world.coordinator, changed)
    world.post(f"/plans/{KEY}/status", world.admin, {"status": "co_programming"})
    now = body(world.get(f"/plans/{KEY}"))
    assert now["status"] == "co_programming" and now != before

    then = body(world.get(f"/plans/{KEY}/state?at={position}"))
    assert then.pop("position") == position
    objectives = then["objectives"]
    assert {k: v for k, v in then.items() if k != "objectives"} == {k: v for k, v in before.items() if k != "objectives"}
    assert [{k: v for k, v in o.items() if k != "fields"} for o in objectives] == before["objectives"]
    assert objectives[0]["fields"]["context"] == "Contesto originale"
    head = body(world.get(f"/plans/{KEY}/state"))  # no moment: now
    assert head["position"] == runtime.event_position() and head["status"] == "co_programming"
    assert head["objectives"][0]["fields"]["context"] == "Nuovo contesto"

    with runtime.sessions() as s:  # as_of: the last position at or before that time
        row = s.get(HistoryRow, position)
    as_of = body(world.client.get(f"/api/v1/plans/{KEY}/state", query_string={"as_of": row.at.isoformat()}))
    assert as_of["position"] == position
    earlier = (row.at - timedelta(microseconds=1)).isoformat()
    assert body(world.client.get(f"/api/v1/plans/{KEY}/state", query_string={"as_of": earlier}))["position"] < position


def test_an_objective_at_a_moment_is_what_its_page_showed_then(world):
    pages = [world.objective("A.1")]
    for text in ("Secondo contesto", "Terzo contesto"):
        world.decide(world.coordinator, world.propose(world.sara, "A.1", {"context": text}))
        pages.append(world.objective("A.1"))
    for page in pages:
        assert body(world.get(f"/plans/{KEY}/objectives/A.1?at={page['position']}")) == page
    body(world.post(f"/plans/{KEY}/objectives/A.1/rename", world.coordinator, {"ref": "A.9"}))
    assert body(world.get(f"/plans/{KEY}/objectives/A.1?at={pages[0]['position']}")) == pages[0]  # its name then
    assert body(world.get(f"/plans/{KEY}/objectives/A.9?at={pages[0]['position']}")) == pages[0]  # its name now
    error_body(world.get(f"/plans/{KEY}/objectives/A.1"), 404)  # no ?at: the live read model, as before
    missing = error_body(world.get(f"/plans/{KEY}/objectives/Z.1?at={pages[0]['position']}"), 404)
    assert missing["message"].startswith("In quel momento nessun obiettivo del piano si chiamava «Z.1»")


def test_the_diff_names_what_changed_between_two_moments(world, runtime):
    start = runtime.event_position()
    world.decide(world.coordinator, world.propose(world.luca, "A.1", {"actions": ["Azione originale", "Seconda azione"]}))
    body(world.post(f"/plans/{KEY}/objectives/B.1/rename", world.admin, {"ref": "B.7"}))
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "co_programming"}))
    diff = body(world.get(f"/plans/{KEY}/diff?from={start}&to={runtime.event_position()}"))
    assert diff["from"] == {"position": start} and diff["to"] == {"position": runtime.event_position()}
    objectives = diff["objectives"]
    assert objectives["added"] == [] and objectives["removed"] == []
    assert [(r["from"], r["to"]) for r in objectives["renamed"]] == [("B.1", "B.7")]
    [changed] = objectives["changed"]
    assert changed["ref"] == "A.1" and list(changed["fields"]) == ["actions"]
    assert changed["fields"]["actions"]["items"] == {"added": [{"index": 1, "value": "Seconda azione"}],
                                                     "removed": [], "changed": []}
    assert diff["plan"]["status"] == {"before": "drafting", "after": "co_programming"}
    backwards = body(world.get(f"/plans/{KEY}/diff?from={runtime.event_position()}&to={start}"))
    assert backwards["plan"]["status"] == {"before": "co_programming", "after": "drafting"}
    since_creation = body(world.get(f"/plans/{KEY}/diff?from=0"))
    assert since_creation["objectives"]["added"] == ["A.1", "B.7"]


@pytest.mark.parametrize("query", ["at=-1", "at=abc", "at=1.5", "at=999999", "as_of=ieri", "as_of=2025-03-14T10:00:00",
                                   "at=1&as_of=2025-03-14T10:00:00%2B01:00", "as_of=9999-12-31T23:59:59-12:00",
                                   "as_of=0001-01-01T00:00:00%2B01:00"])
def test_bad_moments_are_422_and_name_the_parameter(world, query):
    for path in (f"/plans/{KEY}/state", f"/plans/{KEY}/objectives/A.1", f"/plans/{KEY}/snapshot",
                 f"/plans/{KEY}/objectives/A.1/provenance"):
        details = error_body(world.get(f"{path}?{query}", world.auditor), 422, "validation_failed")["details"]
        assert set(details) & {"at", "as_of"}, details


@pytest.mark.parametrize("query", ["from=abc", "from=-3", "from=1&to=xyz", "from=2025-03-14", "to=1", "from=1&to=999999",
                                   "from=9999-12-31T23:59:59-12:00", "from=1&to=0001-01-01T00:00:00%2B01:00"])
def test_bad_diff_moments_are_422(world, query):
    details = error_body(world.get(f"/plans/{KEY}/diff?{query}"), 422, "validation_failed")["details"]
    assert set(details) & {"from", "to"}, details


def test_unknown_plans_and_moments_before_the_plan_are_404(world):
    error_body(world.get("/plans/nessuno/state?at=1"), 404)
    error_body(world.get("/plans/nessuno/diff?from=1"), 404)
    error_body(world.get(f"/plans/{KEY}/state?at=0"), 404)


def test_a_certified_snapshot_is_the_approved_plan_with_the_chain_link_of_that_position(world, runtime):
    path = f"/plans/{KEY}/snapshot"
    with records_nothing(runtime):
        error_body(world.get(path), 409, "conflict")  # never approved
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "co_programming"}))
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "validation"}))
    approved = body(world.post(f"/plans/{KEY}/approval", world.admin,
                               {"body": "assemblea_dei_sindaci", "act": "Delibera n. 12", "date": "2025-03-14"}))
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "validation"}))  # a later change
    snapshot = body(world.get(path))
    assert snapshot["format"] == "coprogramma/certified-snapshot@1"
    assert snapshot["position"] == snapshot["chain"]["position"] == approved["position"]  # after the whole act
    assert snapshot["approval"]["position"] < approved["position"]  # the Approved event, then the objectives
    assert {o["status"] for o in snapshot["state"]["objectives"]} == {"approved"}
    assert snapshot["approval"]["act"] == "Delibera n. 12" and snapshot["state"]["status"] == "approved"
    state = body(world.get(f"/plans/{KEY}/state?at={approved['position']}"))
    assert snapshot["state"] == {k: v for k, v in state.items() if k != "position"}
    with runtime.sessions() as s:
        assert snapshot["chain"]["link"] == s.get(ChainRow, approved["position"]).link
    assert body(world.get(f"{path}?approval=1")) == snapshot
    error_body(world.get(f"{path}?approval=2"), 404)
    both = error_body(world.get(f"{path}?approval=1&at={snapshot['position']}"), 422)  # which one? never guessed
    assert "approval" in both["details"]
    before_act = snapshot["approval"]["position"] - 1
    assert body(world.get(f"{path}?at={before_act}"))["state"]["status"] == "validation"


def test_an_altered_log_gets_no_certified_snapshot_and_a_published_head_outlives_a_rebuild(world, runtime):
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "co_programming"}))
    body(world.post(f"/plans/{KEY}/status", world.admin, {"status": "validation"}))
    body(world.post(f"/plans/{KEY}/approval", world.admin,
                    {"body": "assemblea_dei_sindaci", "act": "Delibera n. 12", "date": "2025-03-14"}))
    published = body(world.get("/audit/verify", world.auditor))
    assert published["summary"].startswith(f"Registro integro: {published['events']} eventi")
    snapshot = body(world.get(f"/plans/{KEY}/snapshot"))
    altered = snapshot["position"] - 3
    original = stored_state(runtime, altered)
    run_sql(runtime, "UPDATE stored_events SET state = ? WHERE rowid = ?", original + b" ", altered)

    error = error_body(world.get(f"/plans/{KEY}/snapshot"), 409, "tampered")
    assert error["details"] == {"first_bad_position": f"Prima posizione alterata: {altered}."}
    assert body(world.get(f"/plans/{KEY}/snapshot?at={altered - 1}"))["position"] == altered - 1

    runtime.projector.rebuild()  # the stored chain now follows the altered events
    assert body(world.get("/audit/verify", world.auditor))["ok"] is True
    check = f"/audit/verify?at={published['position']}&head={published['head']}"
    report = body(world.get(check, world.auditor))
    assert report["ok"] is False and report["first_bad_position"] is None
    assert report["published"] == {"position": published["position"], "head": published["head"],
                                   "recomputed": report["published"]["recomputed"], "matches": False}
    assert "NON corrisponde" in report["summary"]

    run_sql(runtime, "UPDATE stored_events SET state = ? WHERE rowid = ?", original, altered)
    runtime.projector.rebuild()
    assert body(world.get(check, world.auditor))["published"]["matches"] is True
    for query, field in ((f"at={published['position']}", "head"), ("head=" + "a" * 64, "at"), ("at=1&head=xyz", "head"),
                         (f"at=99999&head={published['head']}", "at")):
        assert field in error_body(world.get(f"/audit/verify?{query}", world.auditor), 422)["details"], query


def test_an_event_altered_past_reading_is_a_409_tampered_never_a_500(world, runtime):
    head = runtime.event_position()
    broken = head - 2
    run_sql(runtime, "UPDATE stored_events SET state = ? WHERE rowid = ?", stored_state(runtime, broken)[:-1] + b"@@",
            broken)
    for path in (f"/plans/{KEY}/state?at={head}", f"/plans/{KEY}/objectives/A.1?at={head}",
                 f"/plans/{KEY}/diff?from=1&to={head}", f"/plans/{KEY}/snapshot?at={head}"):
        error = error_body(world.get(path, world.auditor), 409, "tampered")
        assert "non è più leggibile" in error["message"] or "non supera la verifica" in error["message"], path
    assert body(world.get("/audit/verify", world.auditor))["first_bad_position"] == broken


def test_on_an_altered_log_history_provenance_and_state_tell_the_same_story(world, runtime):
    """Every audit read takes the events from the store as they are now: an altered value shows alike in
    the plan then, the field's provenance and the history (and verify says where the log was altered)."""
    changed = world.propose(world.luca, "A.1", {"context": "Nuovo contesto"})
    decided = world.decide(world.coordinator, changed)["position"]
    altered = next(position for position in range(decided, 0, -1)
                   if b"Nuovo contesto" in stored_state(runtime, position) and b"changes" in stored_state(runtime, position))
    run_sql(runtime, "UPDATE stored_events SET state = ? WHERE rowid = ?",
            stored_state(runtime, altered).replace(b"Nuovo contesto", b"Contesto riscritto"), altered)

    assert body(world.get("/audit/verify", world.auditor))["first_bad_position"] == altered
    state = body(world.get(f"/plans/{KEY}/state?at={decided}"))
    assert state["objectives"][0]["fields"]["context"] == "Contesto riscritto"
    provenance = body(world.get(f"/plans/{KEY}/objectives/A.1/provenance", world.auditor))
    assert provenance["fields"]["context"]["value"] == "Contesto riscritto"
    assert provenance["fields"]["context"]["position"] == altered
    history = body(world.get(f"/plans/{KEY}/history?objective=A.1", world.auditor))["events"]
    (event,) = [e for e in history if e["position"] == altered]
    assert event["data"]["changes"]["context"] == "Contesto riscritto"


def test_an_event_missing_from_the_store_is_a_409_tampered_in_the_history(app, world, runtime):
    head = runtime.event_position()
    run_sql(runtime, "DELETE FROM stored_events WHERE rowid = ?", head)
    error_body(world.get(f"/plans/{KEY}/history", world.auditor), 409, "tampered")
    assert body(world.get(f"/plans/{KEY}/history?until=2000-01-01T00:00:00%2B00:00", world.auditor))["events"] == []
    browser, _ = login_browser(app, world.auditor.email)  # the plan's page, with its recent changes, still opens
    assert browser.get(f"/piani/{KEY}").status_code == 200


def test_state_and_diff_are_public_like_the_plan(world):
    for path in (f"/plans/{KEY}/state", f"/plans/{KEY}/diff?from=1", f"/plans/{KEY}/objectives/A.1?at=1"):
        response = world.get(path)
        assert response.status_code in (200, 404), response.get_data(as_text=True)
