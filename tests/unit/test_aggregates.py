"""Given events, when a command, then new events or a refusal: the write model alone."""
from __future__ import annotations

import uuid

import pytest

from server.events.account import Account
from server.events.errors import Conflict, Forbidden, Invalid, NotFound
from server.events.plan import Plan
from server.events.tavolo import Tavolo


def new_events(aggregate) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def account(**kwargs) -> Account:
    acc = Account(id=uuid.uuid4(), organisation=kwargs.get("organisation"), invited=kwargs.get("invited", False),
                  actor="system")
    acc.collect_events()
    return acc


def tavolo() -> Tavolo:
    t = Tavolo(plan_key="p", key="t", name="Tavolo", macro_areas=["A"], mandate=None, organisations=[], actor="system")
    t.collect_events()
    return t


def test_granting_a_global_role_records_an_event_and_a_second_grant_is_refused():
    acc = account()
    acc.grant_role("admin", "u1")
    assert new_events(acc) == ["RoleGranted"] and acc.is_admin
    with pytest.raises(Conflict):
        acc.grant_role("admin", "u1")
    assert new_events(acc) == []


def test_unknown_global_role_is_refused_naming_the_field():
    acc = account()
    with pytest.raises(Invalid) as error:
        acc.grant_role("coordinator", "u1")
    assert "role" in error.value.details
    assert new_events(acc) == []


def test_revoking_a_role_not_held_is_refused_and_revoking_a_held_one_is_an_event():
    acc = account()
    with pytest.raises(Conflict):
        acc.revoke_role("auditor", "u1")
    acc.grant_role("auditor", "u1")
    acc.revoke_role("auditor", "u1")
    assert new_events(acc) == ["RoleGranted", "RoleRevoked"] and acc.roles == []


def test_invited_account_becomes_active_once_and_only_once():
    acc = account(invited=True)
    assert not acc.active
    acc.activate("self")
    assert acc.active and new_events(acc) == ["Activated"]
    with pytest.raises(Conflict):
        acc.activate("self")


def test_replaying_events_rebuilds_the_same_account():
    acc = Account(id=uuid.uuid4(), organisation="caritas", invited=False, actor="system")
    acc.grant_role("admin", "system")
    acc.change_organisation(organisation="anffas", actor="system")
    events = acc.collect_events()
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert (copy.organisation, copy.roles, copy.version) == ("anffas", ["admin"], 3)


def test_plan_starts_in_drafting_and_refuses_duplicate_macro_area():
    plan = Plan(key="p", title="T", ambito="A", period_from=2025, period_to=2027, lead_body=None,
                managing_agency=None, municipalities=[], sub_areas=[], actor="system")
    assert plan.status == "drafting"
    plan.add_macro_area("A", "Povertà", [], "system")
    with pytest.raises(Conflict):
        plan.add_macro_area("A", "Altro", [], "system")
    assert new_events(plan) == ["Created", "MacroAreaAdded"]


def test_tavolo_members_added_promoted_removed_as_events():
    t = tavolo()
    t.set_member("u1", "member", "admin")
    t.set_member("u1", "coordinator", "admin")
    assert t.is_coordinator("u1")
    with pytest.raises(Conflict):
        t.set_member("u1", "coordinator", "admin")
    t.remove_member("u1", "admin")
    with pytest.raises(NotFound):
        t.remove_member("u1", "admin")
    assert new_events(t) == ["MemberAdded", "MemberRoleChanged", "MemberRemoved"]


def test_only_admins_and_the_tavolos_coordinators_may_manage_members():
    t = tavolo()
    t.set_member("coord", "coordinator", "admin")
    t.set_member("member", "member", "admin")
    t.check_may_manage("coord", actor_is_admin=False)
    t.check_may_manage("anyone", actor_is_admin=True)
    for outsider in ("member", "stranger"):
        with pytest.raises(Forbidden):
            t.check_may_manage(outsider, actor_is_admin=False)


def test_keyed_aggregates_have_deterministic_ids():
    assert Plan.create_id("p") == Plan.create_id(key="p") != Plan.create_id("q")
    assert Tavolo.create_id("p", "t") != Tavolo.create_id("q", "t")
