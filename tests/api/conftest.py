"""Fixtures of the API tests, on top of tests/conftest.py (`app`, `client`, `runtime`, `people`, ...)."""
from __future__ import annotations

import dataclasses

import pytest

from tests.api.api_helpers import OTHER_TAVOLO, PLAN, Cast, Mailbox
from server.application import SYSTEM


@pytest.fixture
def mailbox(settings) -> Mailbox:
    return Mailbox(settings.instance / "outbox")


@pytest.fixture
def cast(runtime, people, plan_with_tavolo) -> Cast:
    runtime.wait_for(runtime.app.create_tavolo(PLAN, OTHER_TAVOLO, "Tavolo Altro", ["A"], SYSTEM))
    return Cast(runtime, people)


@pytest.fixture(autouse=True)
def _push_request_context():
    """Overrides pytest-flask's fixture of the same name, which keeps one request context (and so
    one app context and one `g`) pushed for the whole test: every request would then share `g`,
    e.g. Flask-WTF's cached CSRF token of a session that login has since replaced. Here, as in
    production, each request of a test client has its own app context."""
    yield


@pytest.fixture
def make_app(make_settings):
    """Builds an extra app on its own instance with some settings changed (e.g. max_request_bytes)."""
    from server.factory import create_app

    apps = []

    def make(**overrides):
        settings = dataclasses.replace(make_settings(f"custom-{len(apps)}"), **overrides)
        app = create_app(settings, start_projector=False, config={"TESTING": True})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["coprogramma"].close()


@pytest.fixture
def client(app):
    """pytest-flask's `client` without `with`: pytest-flask enters the client as a context manager,
    which keeps the last request's app context (and `g`) pushed, so that requests of *other*
    clients (a second browser) would reuse it. A plain test client behaves like a real one."""
    return app.test_client()
