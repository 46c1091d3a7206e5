"""Fixtures of the live-update tests: an app with short soft locks and Socket.IO test clients."""
from __future__ import annotations

import time

import pytest

from server.application import SYSTEM

PLAN, TAVOLO, OTHER = "piano-prova", "inclusione", "altro"
LOCK_SECONDS = 0.6
PRESENCE_DELAY = 0.05


@pytest.fixture
def app(settings):
    """tests/conftest.py's app, with soft locks that expire quickly and presence gathered briefly."""
    from server.factory import create_app

    app = create_app(settings, start_projector=False,
                     config={"TESTING": True, "COPROGRAMMA_LOCK_SECONDS": LOCK_SECONDS,
                             "COPROGRAMMA_PRESENCE_DELAY": PRESENCE_DELAY})
    yield app
    app.extensions["coprogramma"].close()


@pytest.fixture(autouse=True)
def _push_request_context():
    """No request context kept pushed for the whole test (see tests/api/conftest.py)."""
    yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(runtime, people, plan_with_tavolo):
    """Two tavoli of one plan, a member of each, a coordinator, an auditor, an admin, an outsider."""
    runtime.wait_for(runtime.app.create_tavolo(PLAN, OTHER, "Tavolo Altro", ["A"], SYSTEM))
    w = World()
    w.member = people.seat(people.create(organisation="caritas", name="Luca Galli"), PLAN, TAVOLO)
    w.colleague = people.seat(people.create(organisation="caritas", name="Sara Colombo"), PLAN, TAVOLO)
    w.other = people.seat(people.create(name="Paolo Ricci"), PLAN, OTHER)
    w.outsider = people.create(name="Chiara Moretti")
    w.auditor = people.create(role="auditor", name="Anna Conti")
    w.admin = people.create(role="admin", name="Giulia Ferrari")
    return w


class World:
    pass


@pytest.fixture
def connect(app, client):
    """Opens Socket.IO test clients (bearer token by default) and closes them after the test."""
    socketio = app.extensions["socketio"]
    opened = []

    def open_(person=None, *, auth="token", flask_client=None):
        if auth == "token":
            auth = {"token": person.token}
        sio = socketio.test_client(app, flask_test_client=flask_client or client, auth=auth)
        opened.append(sio)
        return sio

    yield open_
    for sio in opened:
        if sio.is_connected():
            sio.disconnect()


def events(sio, name="event") -> list:
    return [m["args"][0] for m in sio.get_received() if m["name"] == name]


def received(sio) -> list:
    return [(m["name"], m["args"][0]) for m in sio.get_received()]


def wait_until(predicate, timeout=5.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
