"""A proposal's changes and base values are read from the event that holds them (like the history),
not from a copy in the read models: on an altered log the API shows what the store holds, or says
the log is altered, and the plan's page still opens."""
from __future__ import annotations

import sqlite3
import uuid

from server.application import SYSTEM
from server.replay.log import read_log
from tests.api.api_helpers import PLAN, TAVOLO, error_body, login_browser


def test_a_proposal_shows_the_values_its_stored_event_holds(app, client, runtime, people, plan_with_tavolo):
    runtime.wait_for(runtime.app.create_objective(PLAN, uuid.uuid4(), "A.1", "A", TAVOLO,
                                                  {"title": "Rete", "goals": ["Primo"]}, SYSTEM))
    member = people.seat(people.create(organisation="caritas"), PLAN, TAVOLO)
    auditor = people.create(role="auditor")
    headers = {"Authorization": f"Bearer {member.token}"}
    created = client.post(f"/api/v1/plans/{PLAN}/objectives/A.1/proposals", headers=headers,
                          json={"base_version": 1, "changes": {"goals": ["Primo", "Secondo"]}, "rationale": "Più"})
    assert created.status_code == 201, created.get_data(as_text=True)
    proposal_id = created.get_json()["id"]
    shown = client.get(f"/api/v1/proposals/{proposal_id}", headers=headers).get_json()
    assert shown["changes"] == {"goals": ["Primo", "Secondo"]} and shown["base_values"] == {"goals": ["Primo"]}
    assert shown["fields"] == ["goals"]

    (stored,) = [e for e in read_log(runtime.app, 0, 1000) if e.topic.endswith("Proposal.Created")]
    altered = stored.state.replace(b'"Secondo"', b'"Riscritto"')
    with sqlite3.connect(runtime.settings.instance / "events.sqlite3") as conn:  # behind the application's back
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (altered, stored.id))
    listed = client.get(f"/api/v1/plans/{PLAN}/proposals", headers={"Authorization": f"Bearer {auditor.token}"})
    assert listed.get_json()[0]["changes"] == {"goals": ["Primo", "Riscritto"]}
    assert client.get(f"/api/v1/proposals/{proposal_id}", headers=headers).get_json()["changes"] == \
           {"goals": ["Primo", "Riscritto"]}

    with sqlite3.connect(runtime.settings.instance / "events.sqlite3") as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = ?", (stored.id,))
    error_body(client.get(f"/api/v1/proposals/{proposal_id}", headers=headers), 409, "tampered")
    error_body(client.get(f"/api/v1/plans/{PLAN}/proposals", headers=headers), 409, "tampered")
    browser, _ = login_browser(app, member.email)
    assert browser.get(f"/piani/{PLAN}").status_code == 200
    for page in (f"/piani/{PLAN}/tavoli/{TAVOLO}", f"/piani/{PLAN}/obiettivi/A.1"):
        shown = browser.get(page)  # the workspace still opens, listing the proposal by the field it changes
        assert shown.status_code == 200 and f"/proposte/{proposal_id}" in shown.get_data(as_text=True), page
    assert browser.get(f"/proposte/{proposal_id}").status_code == 409
