"""Erasing a person's personal data (GDPR art. 17): name, e-mail, password, tokens and links go;
the account stays in the history as the pseudonymous author of what it did, and is recorded as erased."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server.application import SYSTEM
from server.people import ApiToken, Invitation, Person
from tests.api.api_helpers import PLAN, TAVOLO, csrf_from, error_body, login_browser, records_nothing


@pytest.fixture
def commented(runtime, cast) -> str:
    """The member has done something public: a proposal on an objective of their tavolo."""
    runtime.wait_for(runtime.app.create_objective(PLAN, uuid.uuid4(), "A.1", "A", TAVOLO, {"title": "Titolo"}, SYSTEM))
    proposal_id = uuid.uuid4()
    runtime.wait_for(runtime.app.propose_amendment(proposal_id, PLAN, "A.1", 1, {"title": "Nuovo"}, None,
                                                   cast.member.id))
    return str(proposal_id)


def erase(client, who, user_id):
    return client.post(f"/api/v1/users/{user_id}/erasure", headers=who.headers)


def test_an_admin_erases_a_person_who_stays_pseudonymous_in_the_history(client, runtime, cast, commented):
    member = cast.member
    assert client.post("/api/v1/auth/password-reset", json={"email": member.email}).status_code == 202
    response = erase(client, cast.admin, member.id)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"id": member.id, "position": runtime.event_position()}

    with runtime.sessions() as s:
        person = s.get(Person, member.id)
        assert (person.email, person.name, person.password_hash) == (None, None, None)
        assert person.erased_at is not None
        assert s.scalars(select(ApiToken).where(ApiToken.user_id == member.id)).all() == []
        assert s.scalars(select(Invitation).where(Invitation.user_id == member.id)).all() == []
    error_body(client.get("/api/v1/users/me", headers=member.headers), 401)
    assert client.post("/api/v1/auth/token", json={"email": member.email, "password": "password-di-prova"}
                       ).status_code in (400, 401)

    events = client.get(f"/api/v1/plans/{PLAN}/history?actor={member.id}", headers=cast.auditor.headers).get_json()
    assert [e["type"] for e in events["events"]] == ["Proposal.Created"]
    assert events["events"][0]["actor"] == {"id": member.id, "name": None, "organisation": "caritas"}
    card = client.get(f"/api/v1/users/{member.id}", headers=cast.admin.headers).get_json()
    assert card["name"] is None and card["erased"] is True and card["active"] is False and "email" not in card
    proposal = client.get(f"/api/v1/proposals/{commented}", headers=cast.coordinator.headers).get_json()
    assert proposal["author"] == member.id


def test_the_erasure_is_an_event_that_names_the_admin_and_nobody_else(client, runtime, cast):
    member, admin = cast.member, cast.admin
    position = erase(client, admin, member.id).get_json()["position"]
    with runtime.sessions() as s:
        from server.projections.history import HistoryRow, with_events

        (row,) = with_events(runtime.app, [s.get(HistoryRow, position)])
        assert row.type == "Account.PersonalDataErased" and row.actor == admin.id
        assert row.data == {"actor": admin.id}
        assert row.summary == "Cancellati i dati personali di una persona (nome, e-mail, password)"


@pytest.mark.parametrize("who", ["member", "coordinator", "auditor"])
def test_only_admins_may_erase(client, runtime, cast, who):
    asking, target = getattr(cast, who), cast.target
    with records_nothing(runtime):
        error_body(erase(client, asking, target.id), 403, "forbidden")
    assert client.get("/api/v1/users/me", headers=cast.target.headers).status_code == 200


def test_no_one_erases_themselves_twice_or_an_unknown_account(client, runtime, cast):
    admin, member = cast.admin, cast.member
    with records_nothing(runtime):
        body = error_body(erase(client, admin, admin.id), 409)
        assert "altro amministratore" in body["message"]
        error_body(erase(client, admin, str(uuid.uuid4())), 404)
    erase(client, admin, member.id)
    with records_nothing(runtime):
        error_body(erase(client, admin, member.id), 409)


def test_an_erasure_that_stopped_half_way_is_finished_by_asking_again(client, runtime, cast):
    """The event is recorded first; if clearing the personal data then failed, asking again clears it
    (and answers that the erasure was already recorded)."""
    member, admin = cast.member, cast.admin
    runtime.wait_for(runtime.app.erase_account(member.id, admin.id))  # as if the clearing had failed
    with runtime.sessions() as s:
        assert s.get(Person, member.id).email == member.email
    with records_nothing(runtime):
        error_body(erase(client, admin, member.id), 409)
    with runtime.sessions() as s:
        assert s.get(Person, member.id).email is None


def test_an_invited_person_erased_before_accepting_cannot_use_the_link(client, runtime, cast):
    user_id, _, token = cast.people.directory.invite("invitata@prova.example", "Ines Invitata", SYSTEM, "caritas",
                                                     PLAN, TAVOLO)
    erase(client, cast.admin, user_id)
    error_body(client.post("/api/v1/invitations/accept", json={"token": token, "password": "una-password-lunga-1"}),
               404)


def test_the_admin_page_erases_after_an_explicit_confirmation(app, runtime, cast):
    member = cast.member
    browser, token = login_browser(app, cast.admin.email)
    page = browser.get("/amministrazione").get_data(as_text=True)
    assert f"/amministrazione/persone/{member.id}/cancellazione" in page
    assert f"/amministrazione/persone/{cast.admin.id}/cancellazione" not in page  # not oneself
    with records_nothing(runtime):
        refused = browser.post(f"/amministrazione/persone/{member.id}/cancellazione", data={"csrf_token": token})
        assert refused.status_code == 422 and "Spunti la conferma" in refused.get_data(as_text=True)
    done = browser.post(f"/amministrazione/persone/{member.id}/cancellazione",
                        data={"csrf_token": csrf_from(browser.get("/amministrazione")), "confirm": "si"})
    assert done.status_code == 302
    with runtime.sessions() as s:
        assert s.get(Person, member.id).erased_at is not None
    assert "Dati personali cancellati" in browser.get("/amministrazione").get_data(as_text=True)


def test_the_history_page_shows_an_erased_author_as_such(app, client, cast, commented):
    member = cast.member
    auditor = login_browser(app, cast.auditor.email)[0]
    assert "<strong>Marco Membro</strong> (caritas)" in auditor.get(f"/piani/{PLAN}/storia").get_data(as_text=True)
    erase(client, cast.admin, member.id)
    page = auditor.get(f"/piani/{PLAN}/storia").get_data(as_text=True)
    assert "<strong>(persona cancellata)</strong> (caritas): Proposta di modifica" in page
