"""Presence per tavolo (join, leave, disconnect) and soft locks that expire without renewal.

The newcomer gets the tavolo's presence at once; the others get it gathered over
COPROGRAMMA_PRESENCE_DELAY (PRESENCE_DELAY here), so the tests wait for the message they expect.
"""
from __future__ import annotations

import time

from tests.realtime.conftest import LOCK_SECONDS, PLAN, PRESENCE_DELAY, TAVOLO, events

QUIET = PRESENCE_DELAY * 6  # long enough for a gathered presence to have been sent


def presences(sio) -> list[dict]:
    return events(sio, "presence")


def names(presence: dict) -> list[str]:
    return [user["name"] for user in presence["users"]]


def refs(presence: dict) -> list[str]:
    return [lock["objective_ref"] for lock in presence["editing"]]


def wait_presence(sio, predicate, timeout: float = 5.0) -> dict:
    """The first presence message (from now) that satisfies `predicate`."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        for presence in presences(sio):
            seen.append(presence)
            if predicate(presence):
                return presence
        time.sleep(0.01)
    raise AssertionError(f"no such presence; received {seen}")


def join(sio, tavolo=TAVOLO) -> dict:
    return sio.emit("subscribe", {"plan": PLAN, "tavolo": tavolo}, callback=True)


def edit(sio, ref="A.1", message="editing") -> dict:
    return sio.emit(message, {"plan": PLAN, "tavolo": TAVOLO, "objective_ref": ref}, callback=True)


def test_presence_on_join_leave_and_disconnect(connect, world):
    luca, sara = connect(world.member), connect(world.colleague)
    join(luca)
    assert presences(luca)[0] == {"plan": PLAN, "tavolo": TAVOLO, "editing": [],  # the newcomer, at once
                                  "users": [{"id": world.member.id, "name": "Luca Galli", "organisation": "caritas"}]}
    join(sara)
    assert names(presences(sara)[0]) == ["Luca Galli", "Sara Colombo"]
    wait_presence(luca, lambda p: names(p) == ["Luca Galli", "Sara Colombo"])

    assert sara.emit("unsubscribe", {"plan": PLAN, "tavolo": TAVOLO}, callback=True) == {"ok": True}
    wait_presence(luca, lambda p: names(p) == ["Luca Galli"])
    join(sara)
    wait_presence(luca, lambda p: names(p) == ["Luca Galli", "Sara Colombo"])
    sara.disconnect()
    wait_presence(luca, lambda p: names(p) == ["Luca Galli"])


def test_two_tabs_of_one_person_show_once_and_leave_with_the_last(connect, world):
    luca, tab1, tab2 = connect(world.member), connect(world.colleague), connect(world.colleague)
    join(luca)
    join(tab1)
    join(tab2)
    wait_presence(luca, lambda p: names(p) == ["Luca Galli", "Sara Colombo"])
    time.sleep(QUIET)
    presences(luca)
    tab1.disconnect()
    time.sleep(QUIET)
    assert all(names(p) == ["Luca Galli", "Sara Colombo"] for p in presences(luca))
    tab2.disconnect()
    wait_presence(luca, lambda p: names(p) == ["Luca Galli"])


def test_presence_stays_in_its_tavolo(connect, world):
    luca, paolo, outsider = connect(world.member), connect(world.other), connect(world.outsider)
    outsider.emit("subscribe", {"plan": PLAN}, callback=True)
    join(paolo, "altro")
    join(luca)
    time.sleep(QUIET)
    assert {tuple(names(p)) for p in presences(paolo)} == {("Paolo Ricci",)}
    assert presences(outsider) == []  # a plan subscription is not being in a tavolo


def test_soft_lock_is_shown_to_others_refused_to_them_and_released(connect, world):
    luca, sara = connect(world.member), connect(world.colleague)
    join(luca)
    join(sara)

    ack = edit(luca)
    assert ack["ok"] is True and float(ack["expires_in"]) == LOCK_SECONDS
    [lock] = wait_presence(sara, lambda p: p["editing"])["editing"]
    assert lock["objective_ref"] == "A.1" and lock["user"]["name"] == "Luca Galli" and lock["expires_at"]

    refused = edit(sara)
    assert refused["ok"] is False and "«A.1» è già in modifica da Luca Galli (caritas)" in refused["error"]
    assert edit(sara, "A.2")["ok"] is True  # another objective is free

    assert luca.emit("stopped_editing", {"plan": PLAN, "tavolo": TAVOLO}, callback=True) == {"ok": True}
    wait_presence(sara, lambda p: refs(p) == ["A.2"])
    assert edit(sara)["ok"] is True


def test_a_lock_not_renewed_expires_without_any_client_message(connect, world):
    luca, sara = connect(world.member), connect(world.colleague)
    join(luca)
    join(sara)
    assert edit(luca)["ok"]
    started = time.monotonic()
    wait_presence(sara, lambda p: refs(p) == ["A.1"])
    released = wait_presence(sara, lambda p: p["editing"] == [], timeout=LOCK_SECONDS + 3)
    assert time.monotonic() - started >= LOCK_SECONDS * 0.5
    assert names(released) == ["Luca Galli", "Sara Colombo"]  # still there, no longer editing
    assert edit(sara)["ok"] is True


def test_a_renewed_lock_lasts(connect, world):
    luca, sara = connect(world.member), connect(world.colleague)
    join(luca)
    join(sara)
    assert edit(luca)["ok"]
    wait_presence(sara, lambda p: refs(p) == ["A.1"])
    deadline = time.monotonic() + LOCK_SECONDS * 2.5
    while time.monotonic() < deadline:
        assert edit(luca)["ok"]
        time.sleep(LOCK_SECONDS / 3)
    assert all(refs(p) == ["A.1"] for p in presences(sara))
    assert edit(sara)["ok"] is False


def test_disconnecting_releases_the_locks(connect, world):
    luca, sara = connect(world.member), connect(world.colleague)
    join(luca)
    join(sara)
    edit(luca)
    wait_presence(sara, lambda p: refs(p) == ["A.1"])
    luca.disconnect()
    wait_presence(sara, lambda p: p["editing"] == [] and names(p) == ["Sara Colombo"])
