"""After a form is sent, the next page waits for the event the command recorded (read-your-writes).

In the tests the projector runs inline and catches up on any wait, so what is checked here is the
position each form waits for: the command's own event, not another number it also answers (a
decision answers the objective's version too, a comment its id)."""
from __future__ import annotations

import uuid

import pytest

from server.application import SYSTEM
from tests.api.api_helpers import PLAN, TAVOLO, login_browser


@pytest.fixture
def proposal(runtime, cast) -> str:
    app = runtime.app
    runtime.wait_for(app.create_objective(PLAN, uuid.uuid4(), "A.1", "A", TAVOLO,
                                          {"title": "Contrasto alla povertà educativa"}, SYSTEM))
    proposal_id = uuid.uuid4()
    runtime.wait_for(app.propose_amendment(proposal_id, PLAN, "A.1", 1, {"title": "Nuovo titolo"}, None,
                                           cast.member.id))
    return str(proposal_id)


@pytest.fixture
def waited(runtime, monkeypatch) -> list[int]:
    positions: list[int] = []
    original = runtime.wait_for
    monkeypatch.setattr(runtime, "wait_for", lambda position: (positions.append(position), original(position)))
    return positions


@pytest.mark.parametrize("who, path, data", [
    ("coordinator", "decidi", {"decision": "reject", "reason": "Fuori tema"}),
    ("coordinator", "decidi", {"decision": "approve"}),
    ("member", "commenta", {"text": "Sono d'accordo"}),
    ("coordinator", "sostieni", {}),
])
def test_each_proposal_form_waits_for_its_own_event(app, runtime, cast, proposal, waited, who, path, data):
    browser, token = login_browser(app, getattr(cast, who).email)
    response = browser.post(f"/proposte/{proposal}/{path}", data={**data, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert waited[-1] == runtime.event_position()  # the last event the command recorded
