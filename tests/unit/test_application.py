"""The application layer: positions, permissions against the write model, stale writes."""
from __future__ import annotations

import uuid

import pytest

from server.application import SYSTEM, Coprogramma
from server.events.errors import Conflict, Forbidden, Invalid, NotFound


@pytest.fixture
def es():
    application = Coprogramma(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield application
    application.close()


def user(es, role=None) -> str:
    uid = uuid.uuid4()
    es.register_account(uid, None, SYSTEM)
    if role:
        es.grant_role(str(uid), role, SYSTEM)
    return str(uid)


def test_every_command_returns_the_position_of_its_last_event(es):
    positions = [
        es.register_organisation("caritas", "Caritas", "ets", SYSTEM),
        es.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM),
        es.add_macro_area("p", "A", "Povertà", [], SYSTEM),
        es.create_tavolo("p", "t", "Tavolo", ["A"], SYSTEM, organisations=["caritas"]),
    ]
    assert positions == sorted(positions) and len(set(positions)) == 4
    assert positions[-1] == es.recorder.max_notification_id()


def test_non_admins_cannot_create_plans_and_nothing_is_recorded(es):
    member = user(es)
    before = es.recorder.max_notification_id()
    with pytest.raises(Forbidden):
        es.create_plan("p", "Piano", "Ambito", 2025, 2027, member)
    with pytest.raises(Forbidden):
        es.grant_role(member, "admin", member)
    assert es.recorder.max_notification_id() == before


def test_revoked_admin_loses_power_at_once(es):
    admin = user(es, "admin")
    es.create_plan("p", "Piano", "Ambito", 2025, 2027, admin)
    es.revoke_role(admin, "admin", SYSTEM)
    with pytest.raises(Forbidden):
        es.create_plan("q", "Piano", "Ambito", 2025, 2027, admin)


def test_duplicate_keys_and_unknown_references_are_refused(es):
    es.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
    with pytest.raises(Conflict):
        es.create_plan("p", "Altro", "Ambito", 2025, 2027, SYSTEM)
    with pytest.raises(Invalid) as error:
        es.create_tavolo("p", "t", "Tavolo", ["Z"], SYSTEM)
    assert "macro_areas" in error.value.details
    with pytest.raises(NotFound):
        es.create_tavolo("nope", "t", "Tavolo", [], SYSTEM)
    with pytest.raises(Invalid):
        es.register_account(uuid.uuid4(), "unknown-org", SYSTEM)


def test_coordinator_manages_own_tavolo_only(es):
    es.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
    es.create_tavolo("p", "t1", "Uno", [], SYSTEM)
    es.create_tavolo("p", "t2", "Due", [], SYSTEM)
    coordinator, member = user(es), user(es)
    es.set_tavolo_member("p", "t1", coordinator, "coordinator", SYSTEM)
    es.set_tavolo_member("p", "t1", member, "member", coordinator)
    with pytest.raises(Forbidden):
        es.set_tavolo_member("p", "t2", member, "member", coordinator)
    with pytest.raises(Forbidden):
        es.remove_tavolo_member("p", "t1", coordinator, member)
    es.remove_tavolo_member("p", "t1", member, coordinator)
    assert es.tavolo("p", "t1").members == {coordinator: "coordinator"}


def test_stale_write_raises_conflict_and_records_nothing(es):
    es.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
    first, second = es.plan("p"), es.plan("p")
    first.add_macro_area("A", "Uno", [], SYSTEM)
    second.add_macro_area("B", "Due", [], SYSTEM)
    es._save(first)
    before = es.recorder.max_notification_id()
    with pytest.raises(Conflict):
        es._save(second)
    assert es.recorder.max_notification_id() == before
    assert set(es.plan("p").macro_areas) == {"A"}


def test_invitation_creates_account_and_seat_atomically(es):
    es.create_plan("p", "Piano", "Ambito", 2025, 2027, SYSTEM)
    es.create_tavolo("p", "t", "Tavolo", [], SYSTEM)
    invitee = uuid.uuid4()
    es.invite_to_tavolo(invitee, None, es.tavolo("p", "t"), "member", SYSTEM)
    assert not es.account(str(invitee)).active
    assert es.tavolo("p", "t").members == {str(invitee): "member"}
    outsider = user(es)
    before = es.recorder.max_notification_id()
    with pytest.raises(Forbidden):
        es.invite_to_tavolo(uuid.uuid4(), None, es.tavolo("p", "t"), "member", outsider)
    assert es.recorder.max_notification_id() == before
