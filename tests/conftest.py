"""Fixtures: a real instance (SQLite files in a temp folder, or a fresh PostgreSQL database)."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

from pathlib import Path

import pytest

os.environ.setdefault("COPROGRAMMA_ARGON2_PROFILE", "CHEAPEST")  # before server.security is imported

from server.application import SYSTEM  # noqa: E402
from server.config import Settings  # noqa: E402
from server.directory import Directory  # noqa: E402

PG_URL = os.environ.get("COPROGRAMMA_TEST_POSTGRES_URL")
PASSWORD = "password-di-prova"


@contextmanager
def postgres_database():
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin_url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store_param(request) -> str:
    if request.param == "postgres" and not PG_URL:
        pytest.skip("COPROGRAMMA_TEST_POSTGRES_URL not set")
    return request.param


@pytest.fixture(params=["sqlite"])
def store(request):
    """The embedded default; tests/projections/conftest.py adds PostgreSQL for store and projections."""
    return store_param(request)


@pytest.fixture
def cli_instance(tmp_path, monkeypatch) -> Path:
    """An instance folder (SQLite) that `coprogramma` commands run in this process will use."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("COPROGRAMMA_INSTANCE", str(folder))
    monkeypatch.setenv("COPROGRAMMA_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("COPROGRAMMA_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def make_settings(tmp_path, store):
    databases = []

    def make(name: str = "instance") -> Settings:
        url = None
        if store == "postgres":
            cm = postgres_database()
            url = cm.__enter__()
            databases.append(cm)
        return Settings.from_env({}, instance=tmp_path / name, database_url=url, log_level="WARNING")

    yield make
    for cm in databases:
        cm.__exit__(None, None, None)


@pytest.fixture
def settings(make_settings):
    return make_settings()


@pytest.fixture
def app(settings):
    from server.factory import create_app

    app = create_app(settings, start_projector=False, config={"TESTING": True})
    yield app
    app.extensions["coprogramma"].close()


@pytest.fixture
def runtime(app):
    return app.extensions["coprogramma"]


@pytest.fixture
def directory(runtime):
    return Directory(runtime)


class People:
    """Creates people with roles and hands out their bearer tokens."""

    def __init__(self, runtime, directory):
        self.runtime, self.directory = runtime, directory
        self.count = 0

    def create(self, role: str | None = None, organisation: str | None = None, name: str | None = None):
        self.count += 1
        email = f"persona{self.count}@prova.example"
        user_id, _ = self.directory.create_user(email, name or f"Persona {self.count}", PASSWORD, SYSTEM,
                                                organisation=organisation, role=role)
        return Person(user_id, email, self.directory.issue_token(user_id))

    def seat(self, person, plan: str, tavolo: str, role: str = "member"):
        self.runtime.wait_for(self.runtime.app.set_tavolo_member(plan, tavolo, person.id, role, SYSTEM))
        return person


class Person:
    def __init__(self, id: str, email: str, token: str):  # noqa: A002
        self.id, self.email, self.token = id, email, token

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def people(runtime, directory):
    return People(runtime, directory)


@pytest.fixture
def plan_with_tavolo(runtime):
    """A plan "piano-prova" with macro-area A and tavolo "inclusione" (organisation "caritas")."""
    app = runtime.app
    app.register_organisation("caritas", "Caritas diocesana", "ets", SYSTEM)
    app.create_plan("piano-prova", "Piano di Zona di prova", "Ambito di prova", 2025, 2027, SYSTEM)
    app.add_macro_area("piano-prova", "A", "Contrasto alla povertà", ["Contrasto all'isolamento"], SYSTEM)
    position = app.create_tavolo("piano-prova", "inclusione", "Tavolo Inclusione", ["A"], SYSTEM,
                                 mandate="Programmare gli interventi", organisations=["caritas"])
    runtime.wait_for(position)
    return "piano-prova", "inclusione"
