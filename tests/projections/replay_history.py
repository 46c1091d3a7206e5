"""A scripted history for the replay tests: every kind of event that changes a plan's state,
two plans interleaved, proposals approved, rejected, revised after a conflict and auto-rebased,
renames, status moves, approval and a period extension."""
from __future__ import annotations

import uuid
from decimal import Decimal

from server.application import SYSTEM
from server.events.errors import Conflict

PLAN, OTHER = "p", "q"


def budget(*amounts: str) -> dict:
    return {"items": [{"label": f"Voce {i}", "amount_eur": Decimal(a), "source": "public"}
                      for i, a in enumerate(amounts, 1)], "declared_total_eur": None}


def rich_history(app) -> dict:
    """Records the history; returns the people's ids by role name."""
    app.register_organisation("ets-uno", "Ente uno", "ets", SYSTEM)
    app.register_organisation("ets-due", "Ente due", "ets", SYSTEM)
    people = {name: str(uuid.uuid4()) for name in ("coord", "ana", "bea", "carlo")}
    for i, (name, uid) in enumerate(people.items()):
        app.register_account(uuid.UUID(uid), "ets-uno" if i % 2 else "ets-due", SYSTEM)
    app.create_plan(PLAN, "Piano", "Ambito", 2025, 2027, SYSTEM, municipalities=["Cremona", "Sospiro"])
    app.add_macro_area(PLAN, "A", "Povertà", ["Isolamento"], SYSTEM)
    app.create_plan(OTHER, "Altro piano", "Altro ambito", 2025, 2027, SYSTEM)
    app.add_macro_area(OTHER, "A", "Povertà", [], SYSTEM)
    app.add_macro_area(PLAN, "B", "Abitare", [], SYSTEM)
    app.create_tavolo(PLAN, "t", "Tavolo", ["A", "B"], SYSTEM, organisations=["ets-uno"])
    app.create_tavolo(OTHER, "t", "Tavolo dell'altro piano", ["A"], SYSTEM)
    app.set_tavolo_member(PLAN, "t", people["coord"], "member", SYSTEM)
    app.set_tavolo_member(PLAN, "t", people["coord"], "coordinator", SYSTEM)
    for name in ("ana", "bea", "carlo"):
        app.set_tavolo_member(PLAN, "t", people[name], "member", people["coord"])
    app.set_tavolo_member(OTHER, "t", people["ana"], "coordinator", SYSTEM)
    c = people["coord"]
    app.create_objective(PLAN, uuid.uuid4(), "A.1", "A", "t", {"title": "Primo", "actions": ["uno", "due"],
                                                               "budget": budget("100.00", "50")}, c)
    app.create_objective(OTHER, uuid.uuid4(), "A.1", "A", "t", {"title": "Dell'altro piano"}, people["ana"])
    app.create_objective(PLAN, uuid.uuid4(), "B.1", "B", "t", {"title": "Secondo", "target": ["giovani"]}, c)
    app.edit_objective(PLAN, "A.1", 1, {"context": "Contesto", "actions": ["uno", "una e mezza", "due"]}, c)
    app.set_plan_status(PLAN, "co_programming", SYSTEM)
    p1, p2, p3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    app.propose_amendment(p1, PLAN, "A.1", 2, {"budget": budget("100.00", "75", "10.5")}, "Più fondi", people["ana"])
    app.propose_amendment(p2, PLAN, "A.1", 2, {"budget": budget("100.00", "60")}, "Meno fondi", people["bea"])
    app.propose_amendment(p3, PLAN, "A.1", 2, {"goals": ["Ridurre l'isolamento"]}, "Obiettivi", people["carlo"])
    app.support_proposal(str(p1), people["carlo"])
    app.comment_proposal(str(p1), "D'accordo", people["bea"])
    app.decide_proposal(str(p1), "approve", "Condiviso", c)
    try:  # same field moved on: conflict, nothing recorded; the author revises
        app.decide_proposal(str(p2), "approve", None, c)
        raise AssertionError("expected a conflict")
    except Conflict:
        pass
    app.revise_proposal(str(p2), 3, {"budget": budget("100.00", "75", "20")}, "Rivista", people["bea"])
    app.decide_proposal(str(p2), "approve", None, c)
    app.decide_proposal(str(p3), "approve", None, c)  # base 2, other field: auto-rebased
    app.rename_objective(PLAN, "B.1", "B.2", c)
    p4 = uuid.uuid4()
    app.propose_new_objective(p4, PLAN, "t", "B", {"title": "Nuovo", "needs": ["casa"]}, "Serve", people["ana"])
    app.decide_proposal(str(p4), "approve", None, c)
    app.set_objective_status(PLAN, "A.1", "in_discussion", c)
    app.set_objective_status(PLAN, "A.1", "agreed", c)
    p5 = uuid.uuid4()
    app.propose_amendment(p5, PLAN, "B.2", 1, {"target": ["giovani", "anziani"]}, None, people["carlo"])
    app.decide_proposal(str(p5), "reject", "No", c)
    app.edit_objective(PLAN, "A.1", 5, {"context": None}, c)  # a field removed
    app.remove_tavolo_member(PLAN, "t", people["carlo"], c)
    app.set_plan_status(PLAN, "validation", SYSTEM)
    app.approve_plan(PLAN, "assemblea_dei_sindaci", "Delibera n. 12", "2025-03-14", SYSTEM)
    p6 = uuid.uuid4()
    app.propose_amendment(p6, PLAN, "B.2", 1, {"title": "Secondo, modificato"}, "Dopo l'approvazione", people["bea"])
    app.decide_proposal(str(p6), "approve", None, c)
    app.extend_plan_period(PLAN, 2028, "Delibera n. 20", SYSTEM)
    app.set_tavolo_member(PLAN, "t", people["ana"], "coordinator", c)
    return people
