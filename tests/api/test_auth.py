"""Authentication: bearer tokens for API clients; session cookie + CSRF for browsers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from server.directory import now
from server.people import ApiToken
from server.security import token_digest
from tests.api.api_helpers import PASSWORD, csrf_from, error_body, login_browser


# -- bearer tokens ----------------------------------------------------------------------------------
def test_token_for_right_credentials(client, people, plan_with_tavolo):
    plan, tavolo = plan_with_tavolo
    person = people.seat(people.create(organisation="caritas", name="Lucia Bianchi"), plan, tavolo, "coordinator")
    response = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "user"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert {"id", "email", "name", "organisation", "roles"} <= set(body["user"])
    assert body["user"]["id"] == person.id
    assert body["user"]["email"] == person.email
    assert body["user"]["name"] == "Lucia Bianchi"
    assert body["user"]["organisation"] == "caritas"
    assert body["user"]["roles"] == ["coordinator"]
    # the token works, and names the same person
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == person.id


def test_token_email_is_case_and_space_insensitive(client, people):
    person = people.create()
    response = client.post("/api/v1/auth/token", json={"email": f"  {person.email.upper()} ", "password": PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["user"]["id"] == person.id


def test_each_login_issues_a_distinct_token(client, people):
    person = people.create()
    tokens = {client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}).get_json()["token"]
              for _ in range(2)}
    assert len(tokens) == 2


@pytest.mark.parametrize("credentials", [
    pytest.param({"password": "sbagliata-del-tutto"}, id="wrong password"),
    pytest.param({"email": "nessuno@prova.example"}, id="unknown e-mail"),
    pytest.param({"password": PASSWORD.upper()}, id="password case matters"),
])
def test_bad_credentials_are_401_in_italian(client, runtime, people, credentials):
    person = people.create()
    payload = {"email": person.email, "password": PASSWORD, **credentials}
    before = runtime.event_position()
    body = error_body(client.post("/api/v1/auth/token", json=payload), 401, "unauthenticated")
    assert body["message"] == "Credenziali non valide"
    assert body["details"] == {}
    assert runtime.event_position() == before


def test_wrong_password_and_unknown_email_answer_identically(client, people):
    """The answer does not reveal whether an address has an account."""
    person = people.create()
    wrong = client.post("/api/v1/auth/token", json={"email": person.email, "password": "non-questa-password"})
    unknown = client.post("/api/v1/auth/token", json={"email": "chi@prova.example", "password": "non-questa-password"})
    assert (wrong.status_code, wrong.get_json()) == (unknown.status_code, unknown.get_json())


def test_invited_account_without_password_cannot_get_a_token(client, people):
    admin = people.create("admin")
    invited = client.post("/api/v1/invitations", headers=admin.headers,
                          json={"email": "invitato@prova.example", "name": "Invitato"})
    assert invited.status_code == 201
    for password in ("", "qualunque-password"):
        error_body(client.post("/api/v1/auth/token", json={"email": "invitato@prova.example", "password": password}),
                   401, "unauthenticated")


def test_token_request_missing_fields_is_422(client):
    body = error_body(client.post("/api/v1/auth/token", json={}), 422, "validation_failed")
    assert set(body["details"]) == {"email", "password"}


def test_invalid_token_is_401(client):
    body = error_body(client.get("/api/v1/users/me", headers={"Authorization": "Bearer non-un-token-valido"}),
                      401, "unauthenticated")
    assert body["message"] == "Token non valido o scaduto"


def test_invalid_token_is_refused_even_on_public_reads(client):
    """A client that sends a bad token learns about it instead of silently reading as anonymous."""
    error_body(client.get("/api/v1/plans", headers={"Authorization": "Bearer scaduto"}), 401, "unauthenticated")


def test_expired_token_is_401(client, runtime, people):
    person = people.create()
    assert client.get("/api/v1/users/me", headers=person.headers).status_code == 200
    with runtime.sessions.begin() as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == token_digest(person.token))
                        .values(expires_at=now() - timedelta(seconds=1)))
    body = error_body(client.get("/api/v1/users/me", headers=person.headers), 401, "unauthenticated")
    assert body["message"] == "Token non valido o scaduto"


def test_tokens_expire_after_the_configured_lifetime(client, runtime, people):
    person = people.create()
    issued = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}).get_json()["token"]
    with runtime.sessions() as session:
        stored = session.get(ApiToken, token_digest(issued))
    lifetime = stored.expires_at - stored.created_at
    assert abs(lifetime - timedelta(hours=runtime.settings.token_ttl_hours)) < timedelta(seconds=1)
    assert stored.token_hash != issued  # only a digest is stored


def test_token_lifetime_follows_the_setting(make_app):
    """With token_ttl_hours=0 a token is dead on arrival: the setting is what decides."""
    from server.application import SYSTEM
    from server.directory import Directory

    app = make_app(token_ttl_hours=0)
    directory = Directory(app.extensions["coprogramma"])
    directory.create_user("breve@prova.example", "Breve", PASSWORD, SYSTEM)
    client = app.test_client()
    response = client.post("/api/v1/auth/token", json={"email": "breve@prova.example", "password": PASSWORD})
    assert response.status_code == 200
    token = response.get_json()["token"]
    body = error_body(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}),
                      401, "unauthenticated")
    assert body["message"] == "Token non valido o scaduto"


def test_write_with_expired_token_records_nothing(client, runtime, people):
    admin = people.create("admin")
    with runtime.sessions.begin() as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == token_digest(admin.token))
                        .values(expires_at=now() - timedelta(minutes=1)))
    before = runtime.event_position()
    response = client.post("/api/v1/organisations", headers=admin.headers,
                           json={"key": "acli", "name": "ACLI", "kind": "ets"})
    error_body(response, 401, "unauthenticated")
    assert runtime.event_position() == before


def test_revoked_token_is_401_afterwards(client, people):
    person = people.create()
    other_token = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}).get_json()["token"]
    response = client.delete("/api/v1/auth/token", headers=person.headers)
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    body = error_body(client.get("/api/v1/users/me", headers=person.headers), 401, "unauthenticated")
    assert body["message"] == "Token non valido o scaduto"
    # only the token used is revoked, not the person's other sessions
    assert client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {other_token}"}).status_code == 200
    # revoking again with the dead token: 401
    error_body(client.delete("/api/v1/auth/token", headers=person.headers), 401, "unauthenticated")


def test_revoking_needs_authentication(client):
    error_body(client.delete("/api/v1/auth/token"), 401, "unauthenticated")


@pytest.mark.parametrize("header", [
    "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer", "Bearer    ", "Token abc", "abc", "Bearertoken",
])
def test_malformed_authorization_header_is_401(client, runtime, people, header):
    people.create("admin")
    before = runtime.event_position()
    body = error_body(client.get("/api/v1/users/me", headers={"Authorization": header}), 401, "unauthenticated")
    assert "Authorization" in body["message"] or "Token" in body["message"]
    response = client.post("/api/v1/organisations", headers={"Authorization": header},
                           json={"key": "acli", "name": "ACLI", "kind": "ets"})
    error_body(response, 401, "unauthenticated")
    assert runtime.event_position() == before


def test_bearer_scheme_is_case_insensitive(client, people):
    person = people.create()
    assert client.get("/api/v1/users/me", headers={"Authorization": f"bearer {person.token}"}).status_code == 200


def test_token_endpoint_needs_no_csrf_even_from_a_browser_with_a_session(app, people):
    person = people.create()
    browser, _ = login_browser(app, person.email)
    response = browser.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 200


# -- browser sessions -----------------------------------------------------------------------------
def test_login_page_carries_a_csrf_token(client):
    page = client.get("/accesso")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert csrf_from(page)


def test_login_without_csrf_token_is_403(client, people):
    person = people.create()
    client.get("/accesso")
    response = client.post("/accesso", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.get_data(as_text=True)
    error_body(client.get("/api/v1/users/me"), 401, "unauthenticated")  # not signed in


def test_login_with_forged_csrf_token_is_403(client, people):
    person = people.create()
    client.get("/accesso")
    response = client.post("/accesso", data={"email": person.email, "password": PASSWORD, "csrf_token": "falso"})
    assert response.status_code == 403
    error_body(client.get("/api/v1/users/me"), 401, "unauthenticated")


def test_login_with_wrong_password_shows_the_form_again(client, people):
    person = people.create()
    page = client.get("/accesso")
    response = client.post("/accesso", data={"email": person.email, "password": "sbagliata!!", "csrf_token": csrf_from(page)})
    assert response.status_code == 401
    assert "E-mail o password non corretti." in response.get_data(as_text=True)
    error_body(client.get("/api/v1/users/me"), 401, "unauthenticated")


def test_login_with_csrf_token_opens_a_session(client, people):
    person = people.create(name="Sara Sessione")
    page = client.get("/accesso")
    response = client.post("/accesso", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = client.get("/api/v1/users/me")
    assert me.status_code == 200
    assert me.get_json()["id"] == person.id
    assert "Sara Sessione" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/piani/piano-prova", "/piani/piano-prova"),
    ("//evil.example/", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("\\\\evil.example", "/"),
])
def test_login_redirects_only_within_the_site(client, people, target, expected):
    person = people.create()
    page = client.get("/accesso")
    response = client.post("/accesso", query_string={"next": target},
                           data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_cookie_api_write_without_csrf_header_is_403_and_records_nothing(app, runtime, people):
    admin = people.create("admin")
    browser, _ = login_browser(app, admin.email)
    before = runtime.event_position()
    body = error_body(browser.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"}),
                      403, "csrf_failed")
    assert "CSRF" in body["message"]
    error_body(browser.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"},
                            headers={"X-CSRFToken": "falso"}), 403, "csrf_failed")
    assert runtime.event_position() == before
    assert "acli" not in [o["key"] for o in browser.get("/api/v1/organisations").get_json()]


def test_cookie_api_write_with_csrf_header_succeeds(app, runtime, people):
    admin = people.create("admin")
    browser, token = login_browser(app, admin.email)
    response = browser.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"},
                            headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert response.get_json() == {"key": "acli", "position": runtime.event_position()}
    assert "acli" in [o["key"] for o in browser.get("/api/v1/organisations").get_json()]


def test_cookie_reaches_the_same_permissions_as_a_token(app, runtime, people):
    member = people.create()
    browser, token = login_browser(app, member.email)
    before = runtime.event_position()
    error_body(browser.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"},
                            headers={"X-CSRFToken": token}), 403, "forbidden")
    assert runtime.event_position() == before


def test_csrf_token_of_one_session_does_not_work_in_another(app, people):
    admin = people.create("admin")
    _, token_a = login_browser(app, admin.email)
    browser_b, _ = login_browser(app, admin.email)
    error_body(browser_b.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"},
                              headers={"X-CSRFToken": token_a}), 403, "csrf_failed")


def test_bearer_token_needs_no_csrf_even_with_a_session_cookie(app, people):
    admin = people.create("admin")
    browser, _ = login_browser(app, admin.email)
    response = browser.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"},
                            headers=admin.headers)
    assert response.status_code == 201


def test_logout_clears_the_session(app, people):
    person = people.create()
    browser, token = login_browser(app, person.email)
    assert browser.get("/api/v1/users/me").status_code == 200
    response = browser.post("/esci", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    error_body(browser.get("/api/v1/users/me"), 401, "unauthenticated")
    assert "Accedi" in browser.get("/").get_data(as_text=True)


def test_logout_without_csrf_token_is_refused(app, people):
    person = people.create()
    browser, _ = login_browser(app, person.email)
    assert browser.post("/esci").status_code == 403
    assert browser.get("/api/v1/users/me").status_code == 200  # still signed in


def test_session_follows_role_changes_at_once(app, runtime, people):
    """The session names an account; what it may do is read on every request."""
    admin = people.create("admin")
    browser, token = login_browser(app, admin.email)
    runtime.wait_for(runtime.app.revoke_role(admin.id, "admin", admin.id))
    before = runtime.event_position()
    error_body(browser.post("/api/v1/organisations", json={"key": "acli", "name": "ACLI", "kind": "ets"},
                            headers={"X-CSRFToken": token}), 403, "forbidden")
    assert runtime.event_position() == before
    assert browser.get("/api/v1/users/me").get_json()["roles"] == []


# -- anonymous writes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("method, path, kwargs", [
    ("POST", "/api/v1/plans", {"json": {}}),
    ("POST", "/api/v1/plans", {"json": {"key": "NON VALIDA"}}),
    ("POST", "/api/v1/plans", {"data": "{non json", "content_type": "application/json"}),
    ("POST", "/api/v1/organisations", {"json": {"key": "acli"}}),
    ("PUT", "/api/v1/organisations/caritas", {"json": {}}),
    ("POST", "/api/v1/invitations", {"json": {"email": "non-valida"}}),
    ("DELETE", "/api/v1/plans/piano-prova/tavoli/inclusione/members/qualcuno", {}),
])
def test_anonymous_writes_are_401_whatever_the_body(client, runtime, plan_with_tavolo, method, path, kwargs):
    before = runtime.event_position()
    body = error_body(client.open(path, method=method, **kwargs), 401, "unauthenticated")
    assert body["message"] == "Autenticazione richiesta"
    assert runtime.event_position() == before


@pytest.mark.parametrize("path, payload, status", [
    ("/api/v1/auth/token", {"email": "x@prova.example", "password": "qualcosa-di-lungo"}, 401),
    ("/api/v1/auth/password-reset", {"email": "x@prova.example"}, 202),
    ("/api/v1/auth/password-reset/confirm", {"token": "t", "password": "qualcosa-di-lungo"}, 404),
    ("/api/v1/invitations/accept", {"token": "t", "password": "qualcosa-di-lungo"}, 404),
])
def test_the_public_writes_stay_open_to_anonymous_callers(client, path, payload, status):
    response = client.post(path, json=payload)
    assert response.status_code == status, response.get_json()
    if status != 202:
        assert response.get_json()["error"] != "unauthenticated" or path == "/api/v1/auth/token"
    # and their validation still answers 422
    error_body(client.post(path, json={}), 422, "validation_failed")
