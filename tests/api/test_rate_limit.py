"""Guessing passwords is throttled: 429 in the contract's error shape, per client address."""
from __future__ import annotations

import pytest

from server.config import Settings
from tests.api.api_helpers import csrf_from
from server.factory import create_app


@pytest.fixture
def limited_client(tmp_path):
    settings = Settings.from_env({}, instance=tmp_path / "instance", log_level="WARNING",
                                 login_rate_limit="3 per minute")
    app = create_app(settings, start_projector=False, config={"TESTING": True})
    yield app.test_client()
    app.extensions["coprogramma"].close()


def test_token_endpoint_answers_429_after_the_limit(limited_client):
    wrong = {"email": "nessuno@example.org", "password": "sbagliata-sbagliata"}
    statuses = [limited_client.post("/api/v1/auth/token", json=wrong).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    body = limited_client.post("/api/v1/auth/token", json=wrong).get_json()
    assert body["error"] == "rate_limited" and "riprovare" in body["message"].lower()
    other_address = limited_client.post("/api/v1/auth/token", json=wrong, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_address.status_code == 401


def test_login_form_is_throttled_too(limited_client):
    form = {"email": "a@b.it", "password": "x", "csrf_token": csrf_from(limited_client.get("/accesso"))}
    for _ in range(3):
        assert limited_client.post("/accesso", data=form).status_code == 401
    refused = limited_client.post("/accesso", data=form)
    assert refused.status_code == 429 and "Troppe richieste" in refused.get_data(as_text=True)
    assert limited_client.get("/accesso").status_code == 200  # reading the page is not limited
