"""Invitations and password resets end to end: the e-mail in the outbox, the link, the form, the API."""
from __future__ import annotations

import pytest

from tests.api.api_helpers import PASSWORD, PLAN, TAVOLO, csrf_from, error_body

NEW_PASSWORD = "una-password-nuova-e-lunga"


def invite(client, by, email="irene@prova.example", **extra):
    payload = {"email": email, "name": "Irene Invitata", **extra}
    return client.post("/api/v1/invitations", headers=by.headers, json=payload)


def set_password_in_browser(browser, path, password=NEW_PASSWORD, repeat=None):
    page = browser.get(path)
    assert page.status_code == 200, page.status_code
    return browser.post(path, data={"password": password, "password_repeat": repeat or password,
                                    "csrf_token": csrf_from(page)})


def test_invitation_to_a_tavolo_end_to_end(app, client, runtime, people, plan_with_tavolo, mailbox):
    admin = people.create("admin")
    response = invite(client, admin, plan=PLAN, tavolo=TAVOLO, organisation="caritas")
    assert response.status_code == 201
    user_id = response.get_json()["id"]
    assert response.get_json()["position"] == runtime.event_position()

    # the invited person is seated but not active, and cannot sign in yet
    card = client.get(f"/api/v1/users/{user_id}", headers=admin.headers).get_json()
    assert card["active"] is False and card["name"] == "Irene Invitata" and card["organisation"] == "caritas"
    assert user_id in client.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}").get_json()["members"]

    # the e-mail: to the person, in Italian, with one link
    [message] = mailbox.to("irene@prova.example")
    assert "Invito" in message["Subject"]
    assert "Irene Invitata" in message.get_content()
    path = mailbox.link_path("irene@prova.example")
    assert path.startswith("/imposta-password/")

    # the person opens the link in a browser of their own and chooses a password
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200
    assert "scelga la sua password" in page.get_data(as_text=True)
    done = set_password_in_browser(browser, path)
    assert done.status_code == 302 and done.headers["Location"] == "/"

    # signed in right away, active, with the seat
    me = browser.get("/api/v1/users/me").get_json()
    assert me["id"] == user_id and me["roles"] == ["member"]
    assert me["tavoli"] == [{"plan": PLAN, "tavolo": TAVOLO, "role": "member"}]
    assert client.get(f"/api/v1/users/{user_id}", headers=admin.headers).get_json()["active"] is True
    assert "Password impostata" in browser.get("/").get_data(as_text=True)

    # and can get a token through the API
    token = client.post("/api/v1/auth/token", json={"email": "irene@prova.example", "password": NEW_PASSWORD})
    assert token.status_code == 200
    assert token.get_json()["user"]["id"] == user_id


def test_invitation_link_cannot_be_reused(app, client, runtime, people, plan_with_tavolo, mailbox):
    admin = people.create("admin")
    assert invite(client, admin, plan=PLAN, tavolo=TAVOLO).status_code == 201
    path = mailbox.link_path("irene@prova.example")
    assert set_password_in_browser(app.test_client(), path).status_code == 302
    before = runtime.event_position()

    other = app.test_client()
    page = other.get(path)
    assert page.status_code == 404
    assert "non è valido" in page.get_data(as_text=True)
    # posting to it anyway (with a valid CSRF token from another page) changes nothing
    csrf = csrf_from(other.get("/accesso"))
    reuse = other.post(path, data={"password": "password-dell-attaccante", "password_repeat": "password-dell-attaccante",
                                   "csrf_token": csrf})
    assert reuse.status_code == 404
    # nor through the API
    body = error_body(client.post("/api/v1/invitations/accept",
                                  json={"token": path.rsplit("/", 1)[-1], "password": "password-dell-attaccante"}),
                      404, "not_found")
    assert "token" in body["details"]
    assert runtime.event_position() == before
    error_body(client.post("/api/v1/auth/token", json={"email": "irene@prova.example",
                                                       "password": "password-dell-attaccante"}), 401)
    assert client.post("/api/v1/auth/token", json={"email": "irene@prova.example",
                                                   "password": NEW_PASSWORD}).status_code == 200


def test_invitation_accepted_through_the_api(client, people, plan_with_tavolo, mailbox):
    admin = people.create("admin")
    user_id = invite(client, admin).get_json()["id"]
    token = mailbox.link_token("irene@prova.example")
    accepted = client.post("/api/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert accepted.status_code == 200 and accepted.get_json() == {"user_id": user_id}
    assert client.get(f"/api/v1/users/{user_id}", headers=admin.headers).get_json()["active"] is True
    assert client.post("/api/v1/auth/token", json={"email": "irene@prova.example",
                                                   "password": NEW_PASSWORD}).status_code == 200
    error_body(client.post("/api/v1/invitations/accept", json={"token": token, "password": NEW_PASSWORD}), 404)


def test_set_password_form_needs_the_csrf_token(app, people, plan_with_tavolo, mailbox, client):
    admin = people.create("admin")
    invite(client, admin)
    path = mailbox.link_path("irene@prova.example")
    browser = app.test_client()
    browser.get(path)
    refused = browser.post(path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert refused.status_code == 403
    # the link is still good
    assert set_password_in_browser(browser, path).status_code == 302


def test_too_short_password_is_refused_in_italian_and_the_link_stays_valid(app, client, people, mailbox):
    admin = people.create("admin")
    invite(client, admin)
    path = mailbox.link_path("irene@prova.example")
    browser = app.test_client()
    response = set_password_in_browser(browser, path, password="corta")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "La password deve avere almeno 10 caratteri." in html
    assert 'id="password-error"' in html and 'aria-invalid="true"' in html
    error_body(browser.get("/api/v1/users/me"), 401)  # not signed in
    # through the API: 422 naming `password`
    body = error_body(client.post("/api/v1/invitations/accept",
                                  json={"token": path.rsplit("/", 1)[-1], "password": "corta"}),
                      422, "validation_failed")
    assert body["details"] == {"password": "La password deve avere almeno 10 caratteri."}
    # the link was not used up by the failures
    assert set_password_in_browser(browser, path).status_code == 302


def test_password_with_surrounding_spaces_is_refused(client, people, mailbox):
    admin = people.create("admin")
    invite(client, admin)
    body = error_body(client.post("/api/v1/invitations/accept", json={
        "token": mailbox.link_token("irene@prova.example"), "password": " spazio-iniziale-lungo"}), 422)
    assert "password" in body["details"] and "spazi" in body["details"]["password"]


def test_mismatched_repeat_is_refused(app, client, people, mailbox):
    admin = people.create("admin")
    invite(client, admin)
    path = mailbox.link_path("irene@prova.example")
    response = set_password_in_browser(app.test_client(), path, repeat="un-altra-password-lunga")
    assert response.status_code == 422
    assert "Le due password non coincidono." in response.get_data(as_text=True)


def test_coordinator_invites_only_into_their_own_tavolo(client, runtime, cast, mailbox):
    coordinator = cast.coordinator
    ok = invite(client, coordinator, plan=PLAN, tavolo=TAVOLO)
    assert ok.status_code == 201
    assert ok.get_json()["id"] in client.get(f"/api/v1/plans/{PLAN}/tavoli/{TAVOLO}").get_json()["members"]
    assert len(mailbox.to("irene@prova.example")) == 1

    before = runtime.event_position()
    for payload in ({"plan": PLAN, "tavolo": "altro"}, {}, {"plan": PLAN}):
        body = error_body(invite(client, coordinator, email="bruno@prova.example", **payload), 403, "forbidden")
        assert body["message"]
    assert runtime.event_position() == before
    assert mailbox.to("bruno@prova.example") == []


def test_member_cannot_invite_even_into_their_tavolo(client, runtime, cast, mailbox):
    cast.member  # noqa: B018
    before = runtime.event_position()
    error_body(invite(client, cast.member, plan=PLAN, tavolo=TAVOLO), 403, "forbidden")
    assert runtime.event_position() == before
    assert mailbox.messages() == []


def test_inviting_an_existing_address_is_409(client, runtime, people, mailbox):
    admin = people.create("admin")
    before = runtime.event_position()
    error_body(invite(client, admin, email=admin.email.upper()), 409, "conflict")
    assert runtime.event_position() == before
    assert mailbox.messages() == []


# -- password reset -----------------------------------------------------------------------------------
def test_password_reset_in_the_browser(app, client, people, mailbox):
    person = people.create(name="Paola Smemorata")
    browser = app.test_client()
    page = browser.get("/password-dimenticata")
    assert page.status_code == 200
    sent = browser.post("/password-dimenticata", data={"email": person.email, "csrf_token": csrf_from(page)})
    assert sent.status_code == 200
    assert "Se l'indirizzo è registrato" in sent.get_data(as_text=True)

    [message] = mailbox.to(person.email)
    assert "Reimpostazione della password" in message["Subject"]
    path = mailbox.link_path(person.email)
    form = browser.get(path)
    assert form.status_code == 200 and "Scelga una nuova password" in form.get_data(as_text=True)
    done = set_password_in_browser(browser, path)
    assert done.status_code == 302
    assert browser.get("/api/v1/users/me").get_json()["id"] == person.id

    error_body(client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}), 401)
    assert client.post("/api/v1/auth/token", json={"email": person.email, "password": NEW_PASSWORD}).status_code == 200
    assert app.test_client().get(path).status_code == 404  # used up


def test_password_reset_form_needs_csrf(app, people, mailbox):
    person = people.create()
    browser = app.test_client()
    browser.get("/password-dimenticata")
    assert browser.post("/password-dimenticata", data={"email": person.email}).status_code == 403
    assert mailbox.messages() == []


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(app, people, mailbox):
    people.create()
    browser = app.test_client()
    page = browser.get("/password-dimenticata")
    response = browser.post("/password-dimenticata", data={"email": "nessuno@prova.example",
                                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 200
    assert "Se l'indirizzo è registrato" in response.get_data(as_text=True)
    assert mailbox.messages() == []


def test_password_reset_through_the_api(client, runtime, people, mailbox):
    person = people.create()
    before = runtime.event_position()
    requested = client.post("/api/v1/auth/password-reset", json={"email": f" {person.email.upper()} "})
    assert requested.status_code == 202 and requested.get_json() == {"ok": True}
    token = mailbox.link_token(person.email)

    short = error_body(client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "breve"}),
                       422, "validation_failed")
    assert short["details"] == {"password": "La password deve avere almeno 10 caratteri."}

    confirmed = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert confirmed.status_code == 200 and confirmed.get_json() == {"user_id": person.id}
    error_body(client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}), 401)
    assert client.post("/api/v1/auth/token", json={"email": person.email, "password": NEW_PASSWORD}).status_code == 200
    # the link is single-use
    body = error_body(client.post("/api/v1/auth/password-reset/confirm",
                                  json={"token": token, "password": "ancora-un-altra-password"}), 404, "not_found")
    assert body["details"] == {"token": "Collegamento non valido."}
    assert client.post("/api/v1/auth/token", json={"email": person.email, "password": NEW_PASSWORD}).status_code == 200
    assert runtime.event_position() == before  # a password is personal data, not an event


def test_password_reset_through_the_api_for_an_unknown_address(client, mailbox):
    response = client.post("/api/v1/auth/password-reset", json={"email": "nessuno@prova.example"})
    assert response.status_code == 202 and response.get_json() == {"ok": True}
    assert mailbox.messages() == []


def test_password_reset_is_not_offered_to_invited_people_who_never_set_one(client, people, mailbox):
    """Their way in is the invitation link; a reset link would activate nothing."""
    admin = people.create("admin")
    invite(client, admin)
    assert client.post("/api/v1/auth/password-reset", json={"email": "irene@prova.example"}).status_code == 202
    assert len(mailbox.to("irene@prova.example")) == 1  # only the invitation


@pytest.mark.parametrize("payload, field", [
    ({}, "email"), ({"email": "   "}, "email"), ({"email": "x@prova.example", "extra": 1}, "extra"),
])
def test_password_reset_request_validation(client, mailbox, payload, field):
    body = error_body(client.post("/api/v1/auth/password-reset", json=payload), 422, "validation_failed")
    assert field in body["details"]
    assert mailbox.messages() == []


@pytest.mark.parametrize("token", ["non-valido", ""])
def test_password_reset_confirm_with_a_bad_token(client, token):
    response = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert response.status_code in (404, 422)
    body = error_body(response, response.status_code)
    assert "token" in body["details"]


def test_reset_links_expire(client, runtime, people, mailbox):
    from datetime import timedelta

    from sqlalchemy import update

    from server.directory import now
    from server.people import Invitation
    from server.security import token_digest

    person = people.create()
    client.post("/api/v1/auth/password-reset", json={"email": person.email})
    token = mailbox.link_token(person.email)
    with runtime.sessions.begin() as session:
        session.execute(update(Invitation).where(Invitation.token_hash == token_digest(token))
                        .values(expires_at=now() - timedelta(seconds=1)))
    error_body(client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}),
               404, "not_found")
    assert client.get(f"/imposta-password/{token}").status_code == 404


def test_links_use_the_public_url_not_the_request_host(make_app):
    """A forged Host header must not put a valid reset token in a link to another site."""
    from server.application import SYSTEM
    from server.directory import Directory
    from tests.api.api_helpers import Mailbox

    app = make_app(public_url="https://coprogramma.ambito.example/")
    runtime = app.extensions["coprogramma"]
    Directory(runtime).create_user("vittima@prova.example", "Vittima", PASSWORD, SYSTEM)
    client = app.test_client()
    response = client.post("/api/v1/auth/password-reset", json={"email": "vittima@prova.example"},
                           headers={"Host": "attaccante.example"})
    assert response.status_code == 202
    mailbox = Mailbox(runtime.settings.instance / "outbox")
    [message] = mailbox.to("vittima@prova.example")
    body = message.get_content()
    assert "attaccante.example" not in body
    assert "https://coprogramma.ambito.example/imposta-password/" in body
    # and the link works on the real site
    token = mailbox.link_token("vittima@prova.example")
    assert client.get(f"/imposta-password/{token}").status_code == 200


def test_links_without_a_public_url_point_at_the_site_that_was_asked(client, people, mailbox):
    person = people.create()
    client.post("/api/v1/auth/password-reset", json={"email": person.email})
    assert "http://localhost/imposta-password/" in mailbox.to(person.email)[0].get_content()
