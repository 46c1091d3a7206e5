"""An auditor's questions, through the API only, on a real plan the other tests never drive (Crema
2025-2027: budget items, indicators, Answer questions) after a random co-programming history:
the plan at every moment is what its pages showed then, the diff of any two moments leads from one
to the other, provenance names the proposal, its author and its decider, and the chain verifies."""
from __future__ import annotations

import json
import random
from pathlib import Path

from server.replay.values import apply_value
from tests.audit.helpers import body

DEMO = Path(__file__).resolve().parents[2] / "demo" / "crema-2025-2027.json"
KEY = "crema-2025-2027"
STEPS = 45


class Auditor:
    def __init__(self, client, people, seed: int):
        self.client, self.rng = client, random.Random(seed)
        self.admin = people.create("admin", name="Ufficio di Piano")
        self.auditor = people.create("auditor", name="Revisora")
        document = json.loads(DEMO.read_text(encoding="utf-8"))
        body(client.post("/api/v1/plans/import?filename=crema.json", headers=self.admin.headers,
                         data=json.dumps(document), content_type="application/json"), 201)
        self.cards = {o["ref"]: o for o in document["objectives"] if o.get("tavolo")}
        self.tavoli = sorted({o["tavolo"] for o in self.cards.values()})
        self.members, self.coordinators = {}, {}
        for n, tavolo in enumerate(self.tavoli):
            self.members[tavolo] = people.create(organisation="csc", name=f"Membro {n}")
            self.coordinators[tavolo] = people.create(organisation="comune-crema", name=f"Coordinatore {n}")
            for person, role in ((self.members[tavolo], "member"), (self.coordinators[tavolo], "coordinator")):
                body(self.post(f"/plans/{KEY}/tavoli/{tavolo}/members", self.admin,
                               {"user_id": person.id, "role": role}))
        self.refs = {ref: ref for ref in self.cards}  # original ref -> current ref
        self.open: list[tuple[str, str, str]] = []  # (proposal id, original ref, author id)
        self.setters: dict[tuple[str, str], tuple[str | None, str, str]] = {}  # (ref, field) -> who set it
        self.moments: list[tuple[int, dict]] = []
        self.seen: dict[str, int] = {}  # what the random history did, to be sure it did it

    # -- the API ------------------------------------------------------------------------------
    def get(self, path, who=None):
        return body(self.client.get(f"/api/v1{path}", headers=(who or self.auditor).headers))

    def post(self, path, who, payload=None, status=None):
        response = self.client.post(f"/api/v1{path}", headers=who.headers, json=payload)
        return response if status is None else body(response, status)

    def objective(self, ref: str) -> dict:
        return self.get(f"/plans/{KEY}/objectives/{self.refs[ref]}")

    def snapshot(self, position: int) -> None:
        plan = self.get(f"/plans/{KEY}")
        fields = {o["id"]: self.get(f"/plans/{KEY}/objectives/{o['ref']}")["fields"] for o in plan["objectives"]}
        self.moments.append((position, {"status": plan["status"], "refs": {o["id"]: o["ref"] for o in plan["objectives"]},
                                        "fields": fields}))

    # -- a random history ---------------------------------------------------------------------
    def changes(self, ref: str) -> dict:
        """One or two fields, with values of the same field taken from another card of the plan."""
        names = [name for name in self.cards[ref] if name not in ("ref", "tavolo", "macro_area")]
        picked = self.rng.sample(names, self.rng.choice((1, 2)))
        donors = [card for other, card in self.cards.items() if other != ref]
        return {name: self.rng.choice([c for c in donors if name in c] or donors).get(name, self.cards[ref][name])
                for name in picked}

    def step(self) -> int | None:
        action = self.rng.choice(["propose", "propose", "decide", "decide", "edit", "race", "withdraw", "rename"])
        ref = self.rng.choice(sorted(self.cards))
        tavolo = self.cards[ref]["tavolo"]
        if action == "propose" or (action in ("decide", "withdraw") and not self.open):
            version = self.objective(ref)["version"]
            base = max(1, version - self.rng.choice((0, 0, 1)))  # now and then a stale base: a conflict later
            author = self.members[tavolo]
            response = self.post(f"/plans/{KEY}/objectives/{self.refs[ref]}/proposals", author,
                                 {"base_version": base, "changes": self.changes(ref), "rationale": "Proposta"}, 201)
            self.open.append((response["id"], ref, author.id))
            return response["position"]
        if action == "race":  # a proposal, then a coordinator's direct edit of the same fields: a conflict later
            author, coordinator = self.members[tavolo], self.coordinators[tavolo]
            changes = self.changes(ref)
            response = self.post(f"/plans/{KEY}/objectives/{self.refs[ref]}/proposals", author,
                                 {"base_version": self.objective(ref)["version"], "changes": changes,
                                  "rationale": "Proposta"}, 201)
            self.open.append((response["id"], ref, author.id))
            edited = {name: (["Testo del coordinatore"] if isinstance(value, list) else "Testo del coordinatore")
                      for name, value in changes.items()
                      if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))}
            if not edited:
                return response["position"]
            patched = self.client.patch(f"/api/v1/plans/{KEY}/objectives/{self.refs[ref]}", headers=coordinator.headers,
                                        json={"base_version": self.objective(ref)["version"], "changes": edited})
            for name in edited:
                self.setters[(ref, name)] = (None, coordinator.id, coordinator.id)
            return body(patched)["position"]
        if action == "withdraw":
            proposal_id, ref, _ = self.open.pop(self.rng.randrange(len(self.open)))
            return self.post(f"/proposals/{proposal_id}/withdraw", self.members[self.cards[ref]["tavolo"]],
                             status=200)["position"]
        if action == "decide":
            proposal_id, ref, author = self.open.pop(self.rng.randrange(len(self.open)))
            coordinator = self.coordinators[self.cards[ref]["tavolo"]]
            decision = self.rng.choice(["approve", "approve", "approve", "reject"])
            response = self.post(f"/proposals/{proposal_id}/decision", coordinator,
                                 {"decision": decision, "reason": None if decision == "approve" else "No"})
            if response.status_code == 409:  # a conflict: the author revises on the current version
                self.seen["conflict"] = self.seen.get("conflict", 0) + 1
                proposed = self.get(f"/proposals/{proposal_id}", coordinator)["changes"]
                self.post(f"/proposals/{proposal_id}/revise", self.members[self.cards[ref]["tavolo"]],
                          {"base_version": self.objective(ref)["version"], "changes": proposed,
                           "rationale": "Rivista"}, 200)
                response = self.post(f"/proposals/{proposal_id}/decision", coordinator,
                                     {"decision": decision, "reason": None if decision == "approve" else "No"})
            decided = body(response)
            self.seen[decision] = self.seen.get(decision, 0) + 1
            if decision == "approve":
                for name in self.get(f"/proposals/{proposal_id}", coordinator)["changes"]:
                    self.setters[(ref, name)] = (proposal_id, author, coordinator.id)
            return decided["position"]
        if action == "edit":
            coordinator = self.coordinators[tavolo]
            changes = self.changes(ref)
            response = self.client.patch(f"/api/v1/plans/{KEY}/objectives/{self.refs[ref]}", headers=coordinator.headers,
                                         json={"base_version": self.objective(ref)["version"], "changes": changes})
            for name in changes:
                self.setters[(ref, name)] = (None, coordinator.id, coordinator.id)
            return body(response)["position"]
        self.seen["rename"] = self.seen.get("rename", 0) + 1
        new_ref = f"{ref}-R{self.rng.randint(1, 999)}"
        response = self.post(f"/plans/{KEY}/objectives/{self.refs[ref]}/rename", self.admin, {"ref": new_ref}, 200)
        self.refs[ref] = new_ref
        return response["position"]


def test_an_auditor_with_only_the_api_reconstructs_compares_attributes_and_verifies(client, people):
    auditor = Auditor(client, people, seed=20251)
    auditor.snapshot(auditor.get(f"/plans/{KEY}/state")["position"])
    for _ in range(STEPS):
        auditor.snapshot(auditor.step())
    assert all(auditor.seen.get(what) for what in ("conflict", "approve", "reject", "rename")), auditor.seen
    plan_at_every_moment(auditor)
    diffs_lead_from_one_moment_to_the_other(auditor)
    provenance_names_proposal_author_and_decider(auditor)
    report = auditor.get("/audit/verify")
    assert report["ok"] is True and report["first_bad_position"] is None


def plan_at_every_moment(auditor):
    """The plan at every moment is what its pages showed then."""
    for position, seen in auditor.moments:
        state = auditor.get(f"/plans/{KEY}/state?at={position}")
        assert state["position"] == position and state["status"] == seen["status"]
        assert {o["id"]: o["ref"] for o in state["objectives"]} == seen["refs"]
        assert {o["id"]: o["fields"] for o in state["objectives"]} == seen["fields"], position


def diffs_lead_from_one_moment_to_the_other(auditor):
    rng = random.Random(7)
    pairs = [(rng.choice(auditor.moments), rng.choice(auditor.moments)) for _ in range(25)]
    pairs += list(zip(auditor.moments, auditor.moments[1:]))
    for (p, before), (q, after) in pairs:
        diff = auditor.get(f"/plans/{KEY}/diff?from={p}&to={q}")
        changed = {item["id"]: item for item in diff["objectives"]["changed"]}
        renamed = {item["id"]: item["to"] for item in diff["objectives"]["renamed"]}
        assert renamed == {oid: ref for oid, ref in after["refs"].items() if before["refs"][oid] != ref}
        for oid, fields in before["fields"].items():
            changes = changed.get(oid, {}).get("fields", {})
            for name in set(fields) | set(after["fields"][oid]):
                if name in changes:
                    assert apply_value(fields.get(name), changes[name]) == after["fields"][oid].get(name), (p, q, name)
                else:
                    assert fields.get(name) == after["fields"][oid].get(name), (p, q, name)


def provenance_names_proposal_author_and_decider(auditor):
    for (ref, name), (proposal_id, proposer, decider) in auditor.setters.items():
        entry = auditor.get(f"/plans/{KEY}/objectives/{auditor.refs[ref]}/provenance")["fields"][name]
        assert entry["value"] == auditor.objective(ref)["fields"][name]
        assert (entry["proposal_id"], entry["proposed_by"]["id"], entry["decided_by"]["id"]) == \
            (proposal_id, proposer, decider), (ref, name)
