"""Provenance names the right proposal and people, also after conflicts and auto-rebases."""
from __future__ import annotations

import pytest

from tests.api.api_helpers import error_body
from tests.audit.helpers import INCLUSIONE, KEY, World, body


@pytest.fixture
def world(client, people):
    return World(client, people)


def provenance(world, ref: str, who=None, **query) -> dict:
    who = who or world.auditor
    suffix = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return body(world.get(f"/plans/{KEY}/objectives/{ref}/provenance{suffix}", who))


def test_after_a_conflict_a_revision_and_an_auto_rebase_each_field_names_its_proposal_and_people(world):
    imported = provenance(world, "A.1")["fields"]
    admin = world.card(world.admin)
    assert imported["context"]["value"] == "Contesto originale"
    assert imported["context"]["proposed_by"] == imported["context"]["decided_by"] == admin
    assert imported["context"]["proposal_id"] is None and imported["context"]["history"] == []
    assert imported["context"]["event"] == "Objective.Created"

    base = world.objective("A.1")["version"]
    by_luca = world.propose(world.luca, "A.1", {"context": "Contesto di Luca"}, base)
    by_sara = world.propose(world.sara, "A.1", {"context": "Contesto di Sara"}, base)  # same field: will conflict
    by_paolo = world.propose(world.paolo, "A.1", {"goals": ["Obiettivo di Paolo"]}, base)  # other field: rebased
    world.decide(world.coordinator, by_luca)
    conflict = error_body(world.post(f"/proposals/{by_sara}/decision", world.coordinator2, {"decision": "approve"}),
                          409, "conflict")
    assert "context" in conflict["details"]["fields"]
    body(world.post(f"/proposals/{by_sara}/revise", world.sara,
                    {"base_version": world.objective("A.1")["version"], "changes": {"context": "Contesto di Sara"},
                     "rationale": "Rivista sulla versione attuale"}))
    world.decide(world.coordinator2, by_sara)
    rebased = world.decide(world.coordinator, by_paolo)  # base is old, but goals did not move: auto-rebase
    assert rebased["status"] == "approved"
    direct = body(world.client.patch(f"/api/v1/plans/{KEY}/objectives/A.1", headers=world.coordinator.headers,
                                     json={"base_version": world.objective("A.1")["version"],
                                           "changes": {"actions": ["Azione scritta dal coordinamento"]}}))

    fields = provenance(world, "A.1")["fields"]
    context = fields["context"]
    assert context["value"] == "Contesto di Sara" and context["proposal_id"] == by_sara
    assert context["proposed_by"] == world.card(world.sara)
    assert context["decided_by"] == world.card(world.coordinator2)
    assert [(h["value"], h["proposal_id"]) for h in context["history"]] == [
        ("Contesto originale", None), ("Contesto di Luca", by_luca)]
    luca_step = context["history"][1]
    assert luca_step["proposed_by"] == world.card(world.luca) and luca_step["decided_by"] == world.card(world.coordinator)
    assert set(luca_step) == set(context) - {"history"}

    goals = fields["goals"]
    assert goals["value"] == ["Obiettivo di Paolo"] and goals["proposal_id"] == by_paolo
    assert goals["proposed_by"] == world.card(world.paolo) and goals["decided_by"] == world.card(world.coordinator)
    assert goals["rebased_from"] == base
    assert goals["history"][0]["value"] == ["Obiettivo originale"]

    actions = fields["actions"]
    assert actions["position"] == direct["position"] and actions["proposal_id"] is None
    assert actions["proposed_by"] == actions["decided_by"] == world.card(world.coordinator)
    assert fields["title"]["proposed_by"] == admin and fields["title"]["history"] == []  # untouched since the import
    for entry in fields.values():
        for step in [entry, *entry["history"]]:
            assert {"value", "position", "at", "event", "proposal_id", "proposed_by", "decided_by"} <= set(step)

    # As it was before Sara's proposal was approved: Luca's text, Luca and Carla.
    earlier = provenance(world, "A.1", at=context["position"] - 1)["fields"]["context"]
    assert earlier["value"] == "Contesto di Luca" and earlier["proposed_by"] == world.card(world.luca)


def test_a_new_objective_from_a_proposal_names_its_author_and_its_decider(world):
    proposal = body(world.post(f"/plans/{KEY}/tavoli/{INCLUSIONE}/proposals", world.luca,
                               {"kind": "new_objective", "macro_area": "A", "fields": {"title": "Sportello nuovo",
                                "actions": ["Aprire uno sportello"]}, "rationale": "Manca"}), 201)["id"]
    world.decide(world.coordinator, proposal)
    new_ref = body(world.get(f"/proposals/{proposal}", world.auditor))["objective_ref"]
    fields = provenance(world, new_ref)["fields"]
    assert set(fields) == {"title", "actions"}
    for entry in fields.values():
        assert entry["event"] == "Objective.Created" and entry["proposal_id"] == proposal
        assert entry["proposed_by"] == world.card(world.luca)
        assert entry["decided_by"] == world.card(world.coordinator)


def test_provenance_is_for_signed_in_people_who_may_see_the_tavolo(world):
    path = f"/plans/{KEY}/objectives/A.1/provenance"
    error_body(world.get(path), 401)
    error_body(world.get(path, world.outsider), 403, "forbidden")  # seated at another tavolo
    for who in (world.auditor, world.admin, world.luca, world.coordinator):
        assert world.get(path, who).status_code == 200
    error_body(world.get(f"/plans/{KEY}/objectives/Z.9/provenance", world.auditor), 404)
    error_body(world.get("/plans/nessuno/objectives/A.1/provenance", world.auditor), 404)
    error_body(world.get(f"{path}?at=-1", world.auditor), 422)
    error_body(world.get(f"{path}?as_of=ieri", world.auditor), 422)
