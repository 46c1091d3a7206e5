"""Objective, proposal and plan lifecycle: every transition and refusal, given-when-then."""
from __future__ import annotations

import uuid

import pytest

from server.events.errors import Conflict, Forbidden, Invalid
from server.events.objective import TRANSITIONS, Objective
from server.events.plan import Plan
from server.events.proposal import Proposal


def new_events(aggregate) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def objective(**fields) -> Objective:
    o = Objective(id=uuid.uuid4(), plan_key="p", ref="A.1", macro_area="A", tavolo="t",
                  fields={"title": "Titolo", **fields}, actor="admin")
    o.collect_events()
    return o


def proposal(author="m1") -> Proposal:
    p = Proposal(id=uuid.uuid4(), plan_key="p", tavolo="t", kind="amendment", objective_id="o", macro_area=None,
                 base_version=1, changes={"title": "Nuovo"}, base_values={"title": "Titolo"}, rationale="perché",
                 author=author, organisation="caritas")
    p.collect_events()
    return p


def plan() -> Plan:
    p = Plan(key="p", title="T", ambito="A", period_from=2025, period_to=2027, lead_body=None,
             managing_agency=None, municipalities=[], sub_areas=[], actor="admin")
    p.collect_events()
    return p


# -- objective ---------------------------------------------------------------------------------
def test_change_on_the_current_version_applies_and_remembers_field_versions():
    o = objective(goals=["a"])
    o.change_fields({"goals": ["b"], "context": "Contesto"}, base_version=1, actor="c")
    assert new_events(o) == ["FieldsChanged"]
    assert o.fields == {"title": "Titolo", "goals": ["b"], "context": "Contesto"}
    assert o.field_versions == {"title": 1, "goals": 2, "context": 2}


def test_null_clears_a_field():
    o = objective(context="x")
    o.change_fields({"context": None}, 1, "c")
    assert "context" not in o.fields


def test_stale_base_is_auto_rebased_when_other_fields_changed_and_recorded():
    o = objective(goals=["a"])
    o.change_fields({"goals": ["b"]}, 1, "c")
    o.change_fields({"title": "Altro"}, 1, "c")  # base 1 is stale, but title did not move since
    events = o.collect_events()
    assert events[-1].rebased_from == 1 and events[0].rebased_from is None


def test_stale_base_touching_a_moved_field_is_a_conflict_and_records_nothing():
    o = objective()
    o.change_fields({"title": "Due"}, 1, "c")
    o.collect_events()
    with pytest.raises(Conflict) as error:
        o.change_fields({"title": "Tre"}, 1, "c")
    assert error.value.details == {"fields": ["title"]}
    assert new_events(o) == [] and o.fields["title"] == "Due"


def test_future_base_version_is_refused():
    o = objective()
    with pytest.raises(Invalid):
        o.change_fields({"title": "x"}, 5, "c")


@pytest.mark.parametrize("start", list(TRANSITIONS))
def test_status_moves_follow_the_lifecycle(start):
    for target in ("draft", "in_discussion", "agreed", "validated", "approved", "withdrawn"):
        o = objective()
        o.status = start
        if target in TRANSITIONS[start]:
            o.move_to(target, "c")
            assert o.status == target and new_events(o) == ["StatusChanged"]
        else:
            with pytest.raises(Conflict):
                o.move_to(target, "c")
            assert new_events(o) == []


def test_plan_approval_approves_objectives_but_not_withdrawn_ones():
    live, gone = objective(), objective()
    gone.move_to("withdrawn", "c")
    gone.collect_events()
    live.approve_with_plan("admin")
    gone.approve_with_plan("admin")
    assert (live.status, gone.status) == ("approved", "withdrawn")
    assert new_events(gone) == []


@pytest.mark.parametrize("status, after", [("agreed", "in_discussion"), ("validated", "in_discussion"),
                                           ("approved", "agreed"), ("draft", "draft"),
                                           ("in_discussion", "in_discussion")])
def test_a_changed_text_reopens_what_was_agreed_validated_or_approved(status, after):
    o = objective()
    o.status = status
    o.reopen_after_change("c")
    assert o.status == after


# -- proposal ------------------------------------------------------------------------------------
def test_support_once_and_never_by_the_author():
    p = proposal()
    p.support("m2", "anffas")
    with pytest.raises(Conflict):
        p.support("m2", "anffas")
    with pytest.raises(Conflict):
        p.support("m1", "caritas")
    assert new_events(p) == ["Supported"] and p.supporters == ["m2"]


def test_only_the_author_revises_or_withdraws():
    p = proposal()
    with pytest.raises(Forbidden):
        p.revise(1, {"title": "x"}, {"title": "Titolo"}, None, "m2")
    with pytest.raises(Forbidden):
        p.withdraw("m2")
    p.revise(2, {"title": "x"}, {"title": "Titolo"}, "meglio", "m1")
    p.withdraw("m1")
    assert new_events(p) == ["Revised", "Withdrawn"] and p.status == "withdrawn"


def test_the_author_never_decides_their_own_proposal():
    p = proposal(author="coord")
    with pytest.raises(Forbidden):
        p.decide("approve", None, "coord")
    assert new_events(p) == []


@pytest.mark.parametrize("decision, status", [("approve", "approved"), ("reject", "rejected"),
                                              ("request_changes", "changes_requested")])
def test_decisions(decision, status):
    p = proposal()
    p.decide(decision, "motivo", "coord")
    assert p.status == status and p.decision == {"decision": decision, "reason": "motivo", "by": "coord"}


def test_changes_requested_can_be_revised_then_decided_again():
    p = proposal()
    p.decide("request_changes", "precisare", "coord")
    p.revise(1, {"title": "Preciso"}, {"title": "Titolo"}, None, "m1")
    assert p.status == "open"
    p.decide("approve", None, "coord")
    assert new_events(p) == ["Decided", "Revised", "Decided"]


@pytest.mark.parametrize("closing", ["approve", "reject", "withdraw"])
def test_closed_proposals_refuse_everything(closing):
    p = proposal()
    if closing == "withdraw":
        p.withdraw("m1")
    else:
        p.decide(closing, None, "coord")
    p.collect_events()
    for act in (lambda: p.decide("approve", None, "coord"), lambda: p.withdraw("m1"),
                lambda: p.revise(1, {"title": "x"}, {}, None, "m1"), lambda: p.support("m3", None)):
        with pytest.raises(Conflict):
            act()
    assert new_events(p) == []


# -- plan --------------------------------------------------------------------------------------
def test_plan_lifecycle_and_refusals():
    p = plan()
    with pytest.raises(Conflict):
        p.move_to("validation", "admin")  # must co-programme first
    with pytest.raises(Conflict):
        p.approve("assemblea_dei_sindaci", "Delibera n. 1", "2025-01-01", "admin")
    p.move_to("co_programming", "admin")
    p.move_to("validation", "admin")
    assert not p.accepts_proposals
    with pytest.raises(Conflict):
        p.require_open_to_proposals()
    p.move_to("co_programming", "admin")
    p.move_to("validation", "admin")
    p.approve("assemblea_dei_sindaci", "Delibera n. 12", "2025-03-14", "admin")
    assert p.status == "approved" and p.accepts_proposals
    p.move_to("in_force", "admin")
    p.move_to("validation", "admin")  # mid-plan modification goes through the chain again
    p.approve("assemblea_dei_sindaci", "Delibera n. 40", "2026-06-30", "admin")
    assert [a["act"] for a in p.approvals] == ["Delibera n. 12", "Delibera n. 40"]
    assert new_events(p).count("Approved") == 2


def test_period_extension_must_move_forward():
    p = plan()
    with pytest.raises(Invalid):
        p.extend_period(2027, "DGR", "admin")
    p.extend_period(2028, "DGR XII/2089", "admin")
    assert p.period_to == 2028 and new_events(p) == ["PeriodExtended"]


def test_objective_refs_are_unique_and_renaming_keeps_the_id():
    p = plan()
    p.register_objective("A.1", "id-1", "admin")
    with pytest.raises(Conflict):
        p.register_objective("A.1", "id-2", "admin")
    p.register_objective("A.2", "id-2", "admin")
    with pytest.raises(Conflict):
        p.rename_objective("A.1", "A.2", "admin")
    p.rename_objective("A.1", "A.10", "admin")
    assert p.objectives == {"A.10": "id-1", "A.2": "id-2"}
