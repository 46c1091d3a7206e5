"""Presence shared through a real redis-server, as two server processes share it."""
from __future__ import annotations

import dataclasses
import shutil
import time

import pytest

from server.realtime.presence import STALE, Presence
from tests.realtime.processes import processes

KEY = ("piano-prova", "inclusione")
LUCA = {"id": "u-luca", "name": "Luca Galli", "organisation": "caritas"}
SARA = {"id": "u-sara", "name": "Sara Colombo", "organisation": None}


@pytest.fixture
def redis_url(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed (Debian package redis-server; .ci/run installs it)")
    with processes(tmp_path, {}) as run:
        yield run.redis()


def test_two_processes_see_each_other_and_their_locks(redis_url):
    a, b = Presence(0.5, redis_url), Presence(0.5, redis_url)
    assert a.join("sid-a", KEY, LUCA) and b.join("sid-b", KEY, SARA)
    assert [u["name"] for u in a.snapshot(KEY)["users"]] == ["Luca Galli", "Sara Colombo"] == \
           [u["name"] for u in b.snapshot(KEY)["users"]]

    assert a.edit("sid-a", KEY, "A.1")[0] is None
    holder, until = b.edit("sid-b", KEY, "A.1")
    assert holder.user == LUCA and until is None
    assert [lock["objective_ref"] for lock in b.snapshot(KEY)["editing"]] == ["A.1"]

    time.sleep(0.6)
    assert b.snapshot(KEY)["editing"] == []  # past its time, even before the owner clears it
    assert a.expire() == [KEY] and b.expire() == []
    assert b.edit("sid-b", KEY, "A.1")[0] is None

    assert a.leave_all("sid-a") == [KEY]
    assert [u["name"] for u in b.snapshot(KEY)["users"]] == ["Sara Colombo"]


def test_the_entries_of_a_process_that_died_disappear(redis_url):
    alive, dead = Presence(60, redis_url), Presence(60, redis_url)
    alive.join("sid-alive", KEY, LUCA)
    dead.join("sid-dead", KEY, SARA)
    entry = dead.local[KEY]["sid-dead"]
    dead.share.put(KEY, "sid-dead", dataclasses.replace(entry, seen=time.time() - STALE - 1))  # stopped beating
    assert [u["name"] for u in alive.snapshot(KEY)["users"]] == ["Luca Galli"]
    assert alive.share.redis.hkeys(alive.share._name(KEY)) == [b"sid-alive"]
