"""A small imported plan with its people, driven through the public API (bearer tokens)."""
from __future__ import annotations

import json
from decimal import Decimal

from tests.api.test_workflow_scenario import INCLUSIONE, KEY, encoded, small_document

__all__ = ["INCLUSIONE", "KEY", "World", "body"]


def body(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    return json.loads(response.get_data(as_text=True), parse_float=Decimal)


class World:
    """admin (imports), coordinator and coordinator2 of INCLUSIONE, members luca/sara (caritas) and paolo
    (comune-capofila), outsider (seated at the other tavolo), auditor."""

    def __init__(self, client, people):
        self.client = client
        self.admin = people.create("admin", name="Anna Ufficio di Piano")  # before the import: no organisation yet
        body(client.post("/api/v1/plans/import?filename=piano.json", headers=self.admin.headers,
                         data=encoded(small_document()), content_type="application/json"), 201)
        self.coordinator = people.create(organisation="comune-capofila", name="Carla Coordinatrice")
        self.coordinator2 = people.create(organisation="comune-capofila", name="Carlo Coordinatore")
        self.luca = people.create(organisation="caritas", name="Luca Membro")
        self.sara = people.create(organisation="caritas", name="Sara Membro")
        self.paolo = people.create(organisation="comune-capofila", name="Paolo Membro")
        self.outsider = people.create(organisation="comune-capofila", name="Olga Altrove")
        self.auditor = people.create("auditor", name="Rita Revisora")
        for person, role, tavolo in ((self.coordinator, "coordinator", INCLUSIONE),
                                     (self.coordinator2, "coordinator", INCLUSIONE), (self.luca, "member", INCLUSIONE),
                                     (self.sara, "member", INCLUSIONE), (self.paolo, "member", INCLUSIONE),
                                     (self.outsider, "member", "abitare")):
            body(self.post(f"/plans/{KEY}/tavoli/{tavolo}/members", self.admin, {"user_id": person.id, "role": role}))

    def get(self, path, who=None):
        return self.client.get(f"/api/v1{path}", headers=who.headers if who else {})

    def post(self, path, who=None, payload=None):
        return self.client.post(f"/api/v1{path}", headers=who.headers if who else {}, json=payload)

    def objective(self, ref: str) -> dict:
        return body(self.get(f"/plans/{KEY}/objectives/{ref}"))

    def propose(self, who, ref: str, changes: dict, base_version: int | None = None) -> str:
        base = self.objective(ref)["version"] if base_version is None else base_version
        return body(self.post(f"/plans/{KEY}/objectives/{ref}/proposals", who,
                              {"base_version": base, "changes": changes, "rationale": "Perché"}), 201)["id"]

    def decide(self, who, proposal_id: str, decision: str = "approve", status: int = 200) -> dict:
        return body(self.post(f"/proposals/{proposal_id}/decision", who, {"decision": decision}), status)

    def card(self, person) -> dict:
        """How provenance names a person: id, name, organisation."""
        return {"id": person.id, "name": self.names[person.id], "organisation": self.orgs[person.id]}

    @property
    def names(self) -> dict:
        return {self.admin.id: "Anna Ufficio di Piano", self.coordinator.id: "Carla Coordinatrice",
                self.coordinator2.id: "Carlo Coordinatore", self.luca.id: "Luca Membro", self.sara.id: "Sara Membro",
                self.paolo.id: "Paolo Membro"}

    @property
    def orgs(self) -> dict:
        return {self.admin.id: None, self.luca.id: "caritas", self.sara.id: "caritas", **{
            p.id: "comune-capofila" for p in (self.coordinator, self.coordinator2, self.paolo)}}
