"""Live updates with the Flask-SocketIO test client: auth, permissions, rooms, order, catch-up.

Writes go through the HTTP API; the projector runs inline when the API waits for its read
models, and its listener pushes the events after commit (the test client sees them at once).
"""
from __future__ import annotations

import pytest

from server.application import SYSTEM
from server.realtime import handlers
from server.realtime.assets import DIST
from tests.api.api_helpers import login_browser
from tests.realtime.conftest import OTHER, PLAN, TAVOLO, events, received, wait_until

EVENT_KEYS = {"position", "type", "plan", "tavolo", "objective_ref", "proposal_id", "actor", "at", "data"}


def propose(client, person, tavolo: str, title: str) -> int:
    response = client.post(f"/api/v1/plans/{PLAN}/tavoli/{tavolo}/proposals", headers=person.headers,
                           json={"kind": "new_objective", "macro_area": "A", "fields": {"title": title}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["position"]


def plan_wide(runtime, code: str = "B") -> int:
    position = runtime.app.add_macro_area(PLAN, code, f"Area {code}", [], SYSTEM)
    runtime.wait_for(position)
    return position


def subscribe(sio, plan=PLAN, tavolo=None) -> dict:
    data = {"plan": plan} if tavolo is None else {"plan": plan, "tavolo": tavolo}
    return sio.emit("subscribe", data, callback=True)


# -- connecting -------------------------------------------------------------------------------
def test_connection_is_refused_without_credentials(connect, world):
    assert not connect(auth=None).is_connected()
    assert not connect(auth={}).is_connected()


def test_connection_is_refused_with_an_invalid_or_revoked_token(connect, world, directory):
    assert not connect(auth={"token": "non-un-token"}).is_connected()
    assert not connect(auth={"token": 42}).is_connected()
    directory.revoke_token(world.member.token)
    assert not connect(world.member).is_connected()


def test_a_bearer_token_connects(connect, world):
    sio = connect(world.member)
    assert sio.is_connected()
    assert subscribe(sio, tavolo=TAVOLO)["ok"] is True


def test_the_browser_session_cookie_connects(app, connect, world):
    browser, _ = login_browser(app, world.member.email)
    sio = connect(auth=None, flask_client=browser)
    assert sio.is_connected()
    assert subscribe(sio, tavolo=TAVOLO)["ok"] is True
    assert not connect(auth=None, flask_client=app.test_client()).is_connected()  # a browser not signed in


# -- subscribing ------------------------------------------------------------------------------
def test_subscribe_answers_the_current_position(connect, runtime, world):
    ack = subscribe(connect(world.member), tavolo=TAVOLO)
    assert ack == {"ok": True, "position": runtime.event_position()}


def test_subscribe_refusals_are_italian_acks(connect, world):
    outsider, member = connect(world.outsider), connect(world.member)
    refused = subscribe(outsider, tavolo=TAVOLO)
    assert refused["ok"] is False and "Non partecipi al tavolo «inclusione»" in refused["error"]
    refused = subscribe(member, tavolo=OTHER)
    assert refused["ok"] is False and "Non partecipi al tavolo «altro»" in refused["error"]
    assert subscribe(member, plan="piano-ignoto") == {"ok": False, "error": "Piano sconosciuto: «piano-ignoto»"}
    assert subscribe(member, tavolo="ignoto")["error"].startswith("Tavolo sconosciuto")
    assert member.emit("subscribe", {"plan": 3}, callback=True)["error"].startswith("Richiesta non valida")
    assert member.emit("subscribe", "piano-prova", callback=True)["ok"] is False
    ack = member.emit("catch_up", {"plan": PLAN, "after": 0}, callback=True)
    assert ack["ok"] is False and "subscribe" in ack["error"]
    ack = member.emit("editing", {"plan": PLAN, "tavolo": TAVOLO, "objective_ref": "A.1"}, callback=True)
    assert ack["ok"] is False and "Prima iscriversi al tavolo" in ack["error"]
    assert subscribe(outsider)["ok"] is True  # the plan itself: its plan-wide events


def test_auditors_and_admins_may_subscribe_to_any_tavolo(connect, world):
    for person in (world.auditor, world.admin):
        sio = connect(person)
        assert subscribe(sio, tavolo=TAVOLO)["ok"] and subscribe(sio, tavolo=OTHER)["ok"]


# -- room isolation, payload, order ---------------------------------------------------------------
def test_room_isolation_everyone_receives_exactly_what_they_may_see(client, connect, runtime, world):
    member, other, outsider = connect(world.member), connect(world.other), connect(world.outsider)
    member_plan, auditor, admin_tavolo = connect(world.member), connect(world.auditor), connect(world.admin)
    subscribe(member, tavolo=TAVOLO)
    subscribe(other, tavolo=OTHER)
    subscribe(outsider)
    subscribe(member_plan)
    subscribe(auditor)
    subscribe(admin_tavolo, tavolo=OTHER)
    for sio in (member, other, outsider, member_plan, auditor, admin_tavolo):
        sio.get_received()  # presence

    mine = propose(client, world.member, TAVOLO, "Sportello unico")
    theirs = propose(client, world.other, OTHER, "Trasporto sociale")
    common = plan_wide(runtime)

    assert [e["position"] for e in events(member)] == [mine, common]
    assert [e["position"] for e in events(other)] == [theirs, common]
    assert [e["position"] for e in events(outsider)] == [common]
    assert [e["position"] for e in events(member_plan)] == [mine, common]  # plan: own tavoli + plan-wide
    assert [e["position"] for e in events(auditor)] == [mine, theirs, common]
    assert [e["position"] for e in events(admin_tavolo)] == [theirs, common]


def test_an_event_has_the_public_shape_of_the_history(client, connect, world):
    sio = connect(world.member)
    subscribe(sio, tavolo=TAVOLO)
    sio.get_received()
    position = propose(client, world.member, TAVOLO, "Sportello unico")
    [event] = events(sio)
    assert EVENT_KEYS <= set(event)
    assert (event["position"], event["type"], event["plan"], event["tavolo"]) == (position, "Proposal.Created", PLAN, TAVOLO)
    assert event["actor"] == {"id": world.member.id, "name": "Luca Galli", "organisation": "caritas"}
    assert event["data"]["changes"] == {"title": "Sportello unico"}
    history = client.get(f"/api/v1/plans/{PLAN}/history?after={position - 1}", headers=world.member.headers)
    assert history.get_json()["events"] == [event]  # one description of an event, not two


def test_a_client_in_several_rooms_receives_each_event_once(client, connect, runtime, world):
    sio = connect(world.admin)
    subscribe(sio)
    subscribe(sio, tavolo=TAVOLO)
    subscribe(sio, tavolo=OTHER)
    sio.get_received()
    positions = [propose(client, world.member, TAVOLO, "Uno"), plan_wide(runtime), propose(client, world.other, OTHER, "Due")]
    assert [e["position"] for e in events(sio)] == positions


def test_events_arrive_in_position_order(client, connect, runtime, world):
    sio = connect(world.member)
    subscribe(sio, tavolo=TAVOLO)
    sio.get_received()
    app = runtime.app
    first = app.add_macro_area(PLAN, "B", "Area B", [], SYSTEM)  # several events in one projector batch
    app.add_macro_area(PLAN, "C", "Area C", [], SYSTEM)
    runtime.wait_for(app.add_macro_area(PLAN, "D", "Area D", [], SYSTEM))
    written = [first, first + 1, first + 2]
    written += [propose(client, world.member, TAVOLO, f"Obiettivo {n}") for n in range(5)]
    got = [e["position"] for e in events(sio)]
    assert got == sorted(got) == written


def test_accounts_and_organisations_are_not_pushed(client, connect, runtime, people, world):
    sio = connect(world.admin)
    subscribe(sio)
    sio.get_received()
    people.create(name="Nuova Persona")
    runtime.wait_for(runtime.app.register_organisation("anffas", "Anffas", "ets", SYSTEM))
    assert events(sio) == []


# -- catch-up -------------------------------------------------------------------------------------
def test_catch_up_after_a_gap_nothing_missing_nothing_twice(client, connect, runtime, world):
    sio = connect(world.member)
    last = subscribe(sio, tavolo=TAVOLO)["position"]
    sio.get_received()
    seen = [propose(client, world.member, TAVOLO, "Prima")]
    assert [e["position"] for e in events(sio)] == seen
    sio.disconnect()

    missed = [propose(client, world.colleague, TAVOLO, "Mentre ero via")]
    propose(client, world.other, OTHER, "Non mio")
    missed.append(plan_wide(runtime))
    missed.append(propose(client, world.colleague, TAVOLO, "Ancora"))

    sio = connect(world.member)
    assert subscribe(sio, tavolo=TAVOLO)["ok"]
    sio.get_received()
    ack = sio.emit("catch_up", {"plan": PLAN, "after": seen[-1]}, callback=True)
    got = [e["position"] for e in events(sio)]
    assert got == missed  # in order, nothing of the other tavolo, nothing seen before
    assert ack == {"ok": True, "position": missed[-1], "count": 3, "more": False}

    again = sio.emit("catch_up", {"plan": PLAN, "after": missed[-1]}, callback=True)
    assert again == {"ok": True, "position": missed[-1], "count": 0, "more": False} and events(sio) == []
    live = propose(client, world.member, TAVOLO, "Di nuovo in linea")
    assert [e["position"] for e in events(sio)] == [live]
    assert last < seen[0]


def test_catch_up_never_sends_again_what_arrived_live_after_subscribing(client, connect, world):
    """Reconnecting: subscribe, then catch_up. What is written in between arrives live and is not sent
    again by the catch-up, which sends the missed events up to the subscribe's position only."""
    seen = propose(client, world.member, TAVOLO, "Prima")
    missed = [propose(client, world.colleague, TAVOLO, f"Mentre ero via {n}") for n in range(2)]
    sio = connect(world.member)
    subscribed = subscribe(sio, tavolo=TAVOLO)
    assert subscribed["position"] == missed[-1]
    live = propose(client, world.colleague, TAVOLO, "Subito dopo l'iscrizione")
    assert [e["position"] for e in events(sio)] == [live]
    ack = sio.emit("catch_up", {"plan": PLAN, "after": seen}, callback=True)
    assert [e["position"] for e in events(sio)] == missed
    assert ack == {"ok": True, "position": missed[-1], "count": 2, "more": False}


def test_subscribe_with_after_sends_the_missed_events_first_in_one_ordered_stream(client, connect, world):
    seen = propose(client, world.member, TAVOLO, "Prima")
    missed = [propose(client, world.colleague, TAVOLO, f"Mentre ero via {n}") for n in range(2)]
    propose(client, world.other, OTHER, "Non mio")
    sio = connect(world.member)
    ack = sio.emit("subscribe", {"plan": PLAN, "tavolo": TAVOLO, "after": seen}, callback=True)
    live = propose(client, world.colleague, TAVOLO, "In linea")
    assert [e["position"] for e in events(sio)] == missed + [live]
    assert ack == {"ok": True, "position": live - 1, "count": 2, "more": False}
    for bad in (-1, True, "3", 1.5):
        refused = sio.emit("subscribe", {"plan": PLAN, "tavolo": TAVOLO, "after": bad}, callback=True)
        assert refused == {"ok": False, "error": "Richiesta non valida: «after» deve essere una posizione (intero ≥ 0)"}


def test_catch_up_sends_what_each_room_missed_before_it_was_entered(client, connect, runtime, world):
    """An auditor in a tavolo's room, then in the whole plan's: the other tavolo's events from before
    the second subscription were missed, the first tavolo's after the first one were not."""
    before = propose(client, world.member, TAVOLO, "Prima di tutto")
    auditor = connect(world.auditor)
    subscribe(auditor, tavolo=TAVOLO)
    live = propose(client, world.member, TAVOLO, "Ricevuto in diretta")
    theirs = propose(client, world.other, OTHER, "Dell'altro tavolo")
    common = plan_wide(runtime)
    subscribe(auditor)
    auditor.get_received()
    assert auditor.emit("catch_up", {"plan": PLAN, "after": before - 1}, callback=True)["count"] == 2
    assert [e["position"] for e in events(auditor)] == [before, theirs]
    assert live < theirs < common


def test_catch_up_follows_the_subscriptions_and_visibility(client, connect, runtime, world):
    mine = propose(client, world.member, TAVOLO, "Del tavolo")
    theirs = propose(client, world.other, OTHER, "Dell'altro")
    common = plan_wide(runtime)
    outsider, auditor = connect(world.outsider), connect(world.auditor)
    subscribe(outsider)
    subscribe(auditor)
    for sio in (outsider, auditor):
        sio.get_received()
        assert sio.emit("catch_up", {"plan": PLAN, "after": mine - 1}, callback=True)["ok"]
    assert [e["position"] for e in events(outsider)] == [common]
    assert [e["position"] for e in events(auditor)] == [mine, theirs, common]


def test_catch_up_in_pages(client, connect, world, monkeypatch):
    monkeypatch.setattr(handlers, "CATCH_UP_LIMIT", 2)
    written = [propose(client, world.member, TAVOLO, f"Obiettivo {n}") for n in range(3)]
    sio = connect(world.member)
    subscribe(sio, tavolo=TAVOLO)
    sio.get_received()
    first = sio.emit("catch_up", {"plan": PLAN, "after": written[0] - 1}, callback=True)
    assert first == {"ok": True, "position": written[1], "count": 2, "more": True}
    second = sio.emit("catch_up", {"plan": PLAN, "after": first["position"]}, callback=True)
    assert second == {"ok": True, "position": written[2], "count": 1, "more": False}
    assert [e["position"] for e in events(sio)] == written
    for bad in ({"plan": PLAN}, {"plan": PLAN, "after": -1}, {"plan": PLAN, "after": True}, {"plan": PLAN, "after": "3"}):
        assert sio.emit("catch_up", bad, callback=True)["ok"] is False


# -- permissions that change while connected --------------------------------------------------------
def test_a_member_removed_from_the_tavolo_stops_receiving_it(client, connect, runtime, world):
    sio = connect(world.member)
    subscribe(sio, tavolo=TAVOLO)
    sio.get_received()
    runtime.wait_for(runtime.app.remove_tavolo_member(PLAN, TAVOLO, world.member.id, SYSTEM))
    notices = wait_until(lambda: [m for m in received(sio) if m[0] == "unsubscribed"], timeout=5)
    assert notices and notices[0][1]["tavolo"] == TAVOLO and "Non partecipi più" in notices[0][1]["error"]
    propose(client, world.colleague, TAVOLO, "Dopo l'uscita")
    assert events(sio) == []
    assert subscribe(sio, tavolo=TAVOLO)["ok"] is False


def test_a_person_whose_data_is_erased_is_disconnected(connect, runtime, world):
    from server.directory import Directory

    sio = connect(world.member)
    subscribe(sio, tavolo=TAVOLO)
    Directory(runtime).erase(world.member.id, world.admin.id)
    assert wait_until(lambda: not sio.is_connected(), timeout=5)
    assert not connect(world.member).is_connected()  # and cannot come back


def test_the_client_bundle_is_served_without_a_cdn(client):
    assert client.get("/vendor/socket.io-client/socket.io.secret").status_code == 404
    assert client.get("/static/js/live.js").status_code == 200
    if not (DIST / "socket.io.esm.min.js").is_file():
        pytest.skip("web/node_modules not installed (npm ci in web/)")
    response = client.get("/vendor/socket.io-client/socket.io.esm.min.js")
    assert response.status_code == 200 and b"export" in response.data


def test_a_history_refilled_from_zero_does_not_push_old_events_again(runtime, world):
    """After an upgrade that reshapes the history (migration 0005), its projection starts again from
    0 while the others are at the head: the refill must not replay the whole past to connected clients."""
    from sqlalchemy import update

    from server.projections.base import ProjectionTracking
    from server.projections.history import HistoryRow, SubjectRow
    from server.realtime.push import Pusher

    runtime.app.create_tavolo(PLAN, "terzo", "Tavolo Terzo", ["A"], SYSTEM)
    runtime.projector.run_once()
    with runtime.sessions.begin() as s:  # what the migration leaves behind
        s.execute(HistoryRow.__table__.delete())
        s.execute(SubjectRow.__table__.delete())
        s.execute(update(ProjectionTracking).where(ProjectionTracking.name == "history").values(position=0))
    emitted = []
    runtime.projector.listeners.append(Pusher(runtime, lambda *args, **kwargs: emitted.append(args)))
    runtime.projector.run_once()
    with runtime.sessions() as s:
        assert s.query(HistoryRow).count() == runtime.event_position()  # refilled
    assert emitted == []
    runtime.app.create_tavolo(PLAN, "quarto", "Tavolo Quarto", ["A"], SYSTEM)
    runtime.projector.run_once()
    assert [payload["type"] for _, payload in emitted] == ["Tavolo.Created"]
