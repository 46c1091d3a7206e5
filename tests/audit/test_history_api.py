"""GET /plans/{key}/history: filters, cursor pages, the CSV and JSON Lines exports, and how each
event is filed (tavolo, objective, proposal) so that the filters find it."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
import pytest

from tests.api.api_helpers import error_body
from tests.audit.helpers import INCLUSIONE, KEY, World, body


@pytest.fixture
def world(client, people):
    return World(client, people)


@pytest.fixture
def story(world):
    """A proposal approved on an agreed objective (which reopens it), one rejected, then a rename."""
    for status in ("in_discussion", "agreed"):
        body(world.post(f"/plans/{KEY}/objectives/A.1/status", world.coordinator, {"status": status}))
    approved = world.propose(world.luca, "A.1", {"context": "Contesto rivisto"})
    world.decide(world.coordinator, approved)
    rejected = world.propose(world.sara, "A.1", {"goals": ["Altro obiettivo"]})
    body(world.post(f"/proposals/{rejected}/decision", world.coordinator, {"decision": "reject", "reason": "No"}))
    body(world.post(f"/plans/{KEY}/objectives/A.1/rename", world.admin, {"ref": "A.1-bis"}))
    return {"approved": approved, "rejected": rejected}


def history(world, query: str = "", who=None) -> dict:
    return body(world.get(f"/plans/{KEY}/history{'?' + query if query else ''}", who or world.auditor))


def everything(world, query: str = "") -> list[dict]:
    return history(world, f"limit=1000&{query}")["events"]


def test_an_objective_filter_gives_its_whole_history_under_any_of_its_references(world, story):
    events = everything(world, "objective=A.1-bis")
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["Plan.ObjectiveRegistered", "Objective.Created"]  # from the import, under the old ref
    assert "Plan.ObjectiveRenamed" in kinds
    assert {story["approved"], story["rejected"]} <= {e["proposal_id"] for e in events}
    assert {e["objective_ref"] for e in events} == {"A.1", "A.1-bis"}
    assert everything(world, "objective=A.1") == events  # the old reference names the same objective
    assert everything(world, f"objective={events[1]['objective_id']}") == events
    assert all(e["objective_id"] == events[0]["objective_id"] for e in events)


def test_objective_events_are_filed_under_their_tavolo_and_the_proposal_that_caused_them(world, story):
    events = everything(world, f"tavolo={INCLUSIONE}")
    kinds = {e["type"] for e in events}
    assert {"Plan.ObjectiveRegistered", "Plan.ObjectiveRenamed"} <= kinds
    assert all(e["tavolo"] == INCLUSIONE for e in events)
    registered = next(e for e in everything(world) if e["type"] == "Plan.ObjectiveRegistered"
                      and e["objective_ref"] == "B.1")
    assert registered["tavolo"] == "abitare"  # saved before its objective, placed once the objective was
    reopened = [e for e in events if e["type"] == "Objective.StatusChanged" and e["data"]["reason"] == "testo modificato"]
    assert [e["proposal_id"] for e in reopened] == [story["approved"]]


def test_pages_follow_the_cursor_to_the_end(world, story):
    whole = everything(world)
    seen, after = [], None
    while True:
        page = history(world, f"limit=4{f'&after={after}' if after is not None else ''}")
        assert len(page["events"]) <= 4
        seen += page["events"]
        after = page["next"]
        if after is None:
            break
    assert seen == whole and [e["position"] for e in whole] == sorted({e["position"] for e in whole})


def test_filters_by_actor_and_time(world, story):
    luca = everything(world, f"actor={world.luca.id}")
    assert luca and all(e["actor"]["id"] == world.luca.id for e in luca)
    assert {e["actor"]["organisation"] for e in luca} == {"caritas"}
    whole = everything(world)
    middle = whole[len(whole) // 2]["at"]
    later = everything(world, "since=" + middle.replace("+", "%2B"))
    earlier = everything(world, "until=" + middle.replace("+", "%2B"))
    assert later == [e for e in whole if e["at"] >= middle] and earlier == [e for e in whole if e["at"] <= middle]


def test_exports_hold_the_whole_filtered_history_without_a_limit(world, story, monkeypatch):
    from server.api import history as api

    monkeypatch.setattr(api, "PAGE", 5)  # a JSON page holds 5 events, an export streams 3 at a time
    monkeypatch.setattr(api, "EXPORT_PAGE", 3)
    whole = everything(world, "objective=A.1-bis")
    assert len(whole) > 3 * 3 and len(history(world, "objective=A.1-bis")["events"]) == 5
    lines = world.get(f"/plans/{KEY}/history?objective=A.1-bis&format=jsonl", world.auditor)
    assert lines.status_code == 200 and lines.headers["Content-Type"] == "application/x-ndjson"
    assert "X-Next-After" not in lines.headers
    assert [json.loads(line, parse_float=Decimal) for line in lines.get_data(as_text=True).splitlines()] == whole

    table = world.get(f"/plans/{KEY}/history?objective=A.1-bis&format=csv", world.auditor)
    assert table.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="' in table.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert [int(r["position"]) for r in rows] == [e["position"] for e in whole]
    assert [r["summary"] for r in rows] == [e["summary"] for e in whole]
    assert [json.loads(r["data"], parse_float=Decimal) for r in rows] == [e["data"] for e in whole]

    page = world.get(f"/plans/{KEY}/history?objective=A.1-bis&format=csv&limit=10", world.auditor)
    assert len(list(csv.DictReader(io.StringIO(page.get_data(as_text=True))))) == 10
    assert page.headers["X-Next-After"] == str(whole[9]["position"])


@pytest.mark.parametrize("query, field", [
    ("objective=Z.9", "objective"), ("tavolo=nessuno", "tavolo"), ("actor=00000000-0000-0000-0000-000000000000", "actor"),
    ("since=2026-01-02T00:00:00%2B01:00&until=2026-01-01T00:00:00%2B01:00", "until"),
    ("limit=0", "limit"), ("format=xml", "format"), ("since=ieri", "since"),
    ("since=9999-12-31T23:59:59-12:00", "since"), ("until=0001-01-01T00:00:00%2B01:00", "until"),
])
def test_a_filter_that_names_nothing_is_refused_with_the_field(world, story, query, field):
    error = error_body(world.get(f"/plans/{KEY}/history?{query}", world.auditor), 422, "validation_failed")
    assert field in json.dumps(error["details"])


def test_an_unencoded_plus_in_a_time_gets_a_hint(world, story):
    error = error_body(world.get(f"/plans/{KEY}/history?since=2025-03-14T18:00:00+01:00", world.auditor),
                       422, "validation_failed")
    assert "%2B" in error["details"]["since"]


@pytest.mark.parametrize("path", ["history?objectve=A.1", "state?at=3&as-of=2026-01-01T00:00:00Z",
                                  "diff?from=1&too=3", "objectives/A.1?momento=3", "objectives/A.1/provenance?a=1",
                                  "snapshot?at=3&approved=1"])
def test_a_misspelt_parameter_is_refused_not_ignored(world, story, path):
    """An auditor's typo must not silently give the unfiltered history or today's plan."""
    error = error_body(world.get(f"/plans/{KEY}/{path}", world.auditor), 422, "validation_failed")
    misspelt = path.split("&")[-1].split("?")[-1].split("=")[0]
    assert error["details"] == {misspelt: "Parametro sconosciuto."}


def test_unknown_plan_and_anonymous_reader_are_refused(world):
    error_body(world.get("/plans/nessuno/history", world.auditor), 404, "not_found")
    error_body(world.get(f"/plans/{KEY}/history"), 401)


def test_members_see_their_tavolo_and_the_plan_wide_events_only(world, story):
    outsider = everything_for(world, world.outsider)
    assert outsider and all(e["tavolo"] in (None, "abitare") for e in outsider)
    assert not [e for e in outsider if e["type"] == "Plan.ObjectiveRenamed"]  # filed under INCLUSIONE now
    luca = everything_for(world, world.luca)
    assert any(e["type"] == "Plan.ObjectiveRenamed" for e in luca)


def everything_for(world, who) -> list[dict]:
    return history(world, "limit=1000", who)["events"]


def test_the_openapi_document_describes_the_history_page(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ok = spec["paths"]["/api/v1/plans/{key}/history"]["get"]["responses"]["200"]
    schema = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][schema]["properties"]) == {"events", "next"}



def test_the_history_page_exports_the_whole_history_it_is_filtered_on(app, world, story, monkeypatch):
    import html
    import re

    from server.api import history as api
    from tests.api.api_helpers import login_browser

    monkeypatch.setattr(api, "EXPORT_PAGE", 3)
    browser, _ = login_browser(app, world.auditor.email)
    page = browser.get(f"/piani/{KEY}/storia?obiettivo=A.1-bis&persona={world.coordinator.id}&dal=2000-01-01")
    links = {fmt: html.unescape(link) for link, fmt in
             re.findall(r'href="([^"]*/history\?[^"]*format=(csv|jsonl)[^"]*)"', page.get_data(as_text=True))}
    assert set(links) == {"csv", "jsonl"} and "limit" not in links["jsonl"]
    exported = browser.get(links["jsonl"])
    assert exported.status_code == 200
    lines = [json.loads(line, parse_float=Decimal) for line in exported.get_data(as_text=True).splitlines()]
    expected = everything(world, f"objective=A.1-bis&actor={world.coordinator.id}")
    assert lines == expected and len(expected) > 3  # more than one page of the stream


def new_objective(world, who, title: str) -> str:
    return body(world.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", who,
                           {"kind": "new_objective", "macro_area": "A", "fields": {"title": title},
                            "rationale": "Serve"}), 201)["id"]


def test_a_new_objective_history_begins_with_the_proposal_that_created_it(world):
    proposal = new_objective(world, world.luca, "Nuovo obiettivo")
    body(world.post(f"/proposals/{proposal}/comments", world.sara, {"text": "D'accordo"}), 201)
    decided = world.decide(world.coordinator, proposal)
    body(world.post(f"/proposals/{proposal}/comments", world.paolo, {"text": "Dopo l'approvazione"}), 201)
    ref = next(o["ref"] for o in body(world.get(f"/plans/{KEY}"))["objectives"] if o["title"] == "Nuovo obiettivo")
    events = everything(world, f"objective={ref}")
    assert [e["type"] for e in events[:3]] == ["Proposal.Created", "Proposal.Commented", "Proposal.Decided"]
    assert events[0]["actor"]["id"] == world.luca.id and {e["objective_ref"] for e in events} == {ref}
    assert events[-1]["type"] == "Proposal.Commented" and events[-1]["actor"]["id"] == world.paolo.id
    assert decided["position"] in {e["position"] for e in events}


def test_a_reference_names_every_objective_that_had_it(world):
    first = new_objective(world, world.luca, "Primo")
    world.decide(world.coordinator, first)
    ref = next(o["ref"] for o in body(world.get(f"/plans/{KEY}"))["objectives"] if o["title"] == "Primo")
    body(world.post(f"/plans/{KEY}/objectives/{ref}/rename", world.admin, {"ref": "A-primo"}))
    second = new_objective(world, world.sara, "Secondo")
    world.decide(world.coordinator, second)
    refs = {o["title"]: o["ref"] for o in body(world.get(f"/plans/{KEY}"))["objectives"]}
    assert refs["Secondo"] != ref  # a ref once given is never handed out again
    body(world.post(f"/plans/{KEY}/objectives/{refs['Secondo']}/rename", world.admin, {"ref": ref}))  # by hand
    both = everything(world, f"objective={ref}")
    assert {e["proposal_id"] for e in both} >= {first, second} and len({e["objective_id"] for e in both}) == 2


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_that_meets_an_event_gone_from_the_store_says_tampered(world, story, runtime, fmt):
    """Its first page is read before the file starts: an altered log there is a 409 `tampered` in the
    contract's shape, not a half-written file nor an HTML error page."""
    import sqlite3

    first = everything(world)[0]["position"]
    with sqlite3.connect(runtime.settings.instance / "events.sqlite3") as conn:
        assert conn.execute("DELETE FROM stored_events WHERE rowid = ?", (first,)).rowcount == 1
    error_body(world.get(f"/plans/{KEY}/history?format={fmt}", world.auditor), 409, "tampered")
