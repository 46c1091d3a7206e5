"""The Socket.IO messages of spec/api.md "Live updates", with their permission checks.

Handlers run with `async_handlers=False`: one client's messages are handled in the order sent.
Refusals are acknowledgements `{"ok": false, "error": <Italian>}`; a refused connection is a
`ConnectionRefusedError` (the client's `connect_error`).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from flask import Flask, request, session
from flask_socketio import ConnectionRefusedError, SocketIO

from server.directory import Principal
from server.projections.plans import PlanRow, TavoloRow
from server.realtime.catchup import missed_events
from server.realtime.connection import Connection, Refusal, answer, position_after, text
from server.realtime.presence import Presence, describe
from server.realtime.push import Pusher, history_position
from server.realtime.rooms import may_see_tavolo, subscription_rooms, tavolo_room
from server.realtime.watcher import Watcher

log = logging.getLogger(__name__)
NS = "/"
CATCH_UP_LIMIT = 1000  # events per `catch_up`; the ack says `more: true` when there are others


class Live:
    def __init__(self, app: Flask, socketio: SocketIO, runtime, pusher: Pusher | None = None,
                 lock_seconds: float = 60.0, presence_delay: float = 0.25):
        self.app, self.socketio, self.runtime = app, socketio, runtime
        self.pusher = pusher  # this process's, when it projects; else another process pushes
        self.presence_delay = presence_delay
        self._changed: set[tuple[str, str]] = set()  # tavoli whose presence is to be sent
        self.directory = app.extensions["coprogramma.directory"]
        queue = runtime.settings.message_queue or ""
        self.presence = Presence(lock_seconds, queue if queue.startswith(("redis://", "rediss://")) else None)
        self.connections: dict[str, Connection] = {}
        self.lock = threading.RLock()
        self.watcher = Watcher(self)
        for name, handler in (("connect", self.on_connect), ("disconnect", self.on_disconnect),
                              ("subscribe", self.on_subscribe), ("unsubscribe", self.on_unsubscribe),
                              ("catch_up", self.on_catch_up), ("editing", self.on_editing),
                              ("stopped_editing", self.on_stopped_editing)):
            socketio.on_event(name, handler)

    # -- connection ------------------------------------------------------------------------
    def _authenticate(self, auth) -> Principal | None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is not None:  # a token that is given must be valid: no fallback to the cookie
            return self.directory.principal_for_token(token) if isinstance(token, str) and token else None
        user_id = session.get("user_id")
        return self.directory.principal(user_id) if user_id else None

    def on_connect(self, auth=None):
        principal = self._authenticate(auth)
        if principal is None:
            raise ConnectionRefusedError("Autenticazione richiesta: token non valido o scaduto, o sessione assente")
        user = {"id": principal.id, "name": principal.name, "organisation": principal.organisation}
        with self.lock:
            self.connections[request.sid] = Connection(request.sid, principal.id, user)
        self.watcher.ensure_running()

    def on_disconnect(self, *_reason):
        with self.lock:
            self.connections.pop(request.sid, None)
        for key in self.presence.leave_all(request.sid):
            self.presence_changed(key)

    def _connection(self) -> Connection:
        connection = self.connections.get(request.sid)
        if connection is None:
            raise Refusal("Connessione non autenticata")
        return connection

    def _principal(self, connection: Connection) -> Principal:
        principal = self.directory.principal(connection.user_id)
        if principal is None:
            raise Refusal("Account non attivo")
        return principal

    # -- rooms -----------------------------------------------------------------------------
    @contextmanager
    def _pushes_held(self):
        """Yields the position up to which this process has pushed events, pushing none meanwhile
        (None when another process pushes them)."""
        if self.pusher is None:
            yield None
        else:
            with self.pusher.held() as pushed:
                yield pushed

    def sync_rooms(self, connection: Connection, before_live: Callable[[], dict] | None = None) -> tuple[int, dict]:
        """Enters and leaves rooms to match the subscriptions. Returns the position after which the
        events of the rooms just entered reach this socket live, and what `before_live()` answered:
        it runs before any of them can (the missed events are sent there)."""
        with self.lock, self._pushes_held() as pushed:
            wanted = connection.rooms()
            entered = wanted - connection.since.keys()
            for room in entered:
                self.socketio.server.enter_room(connection.sid, room, namespace=NS)
            for room in connection.since.keys() - wanted:
                self.socketio.server.leave_room(connection.sid, room, namespace=NS)
                del connection.since[room]
            # Pushed by another process (or through a message queue, delivered a moment later): the
            # committed history read after entering is the closest bound there is.
            position = history_position(self.runtime.sessions) if pushed is None else pushed
            for room in entered:
                connection.since[room] = position
            return position, before_live() if before_live else {}

    def send(self, sid: str, event: str, payload) -> None:
        """To one socket of this process, directly (not through the queue): keeps it in order with the ack."""
        self.socketio.server.emit(event, payload, to=sid, namespace=NS, ignore_queue=True)

    def emit_presence(self, key: tuple[str, str]) -> None:
        self.socketio.emit("presence", self.presence.snapshot(key), to=tavolo_room(*key), namespace=NS)

    def presence_changed(self, key: tuple[str, str]) -> None:
        """Send the tavolo's presence after `presence_delay`, once for all the changes meanwhile:
        N people joining at once cost N messages per person, not N (a full list each time)."""
        if self.presence_delay <= 0:
            return self.emit_presence(key)
        with self.lock:
            first = not self._changed
            self._changed.add(key)
        if first:
            self.socketio.start_background_task(self._send_changed_presence)

    def _send_changed_presence(self) -> None:
        self.socketio.sleep(self.presence_delay)
        with self.lock:
            keys, self._changed = self._changed, set()
        for key in keys:
            self.emit_presence(key)

    # -- subscribe -------------------------------------------------------------------------
    @answer
    def on_subscribe(self, data):
        connection = self._connection()
        plan, tavolo = text(data, "plan"), text(data, "tavolo", required=False)
        after = position_after(data, required=False)
        principal = self._principal(connection)
        with self.runtime.sessions() as db:
            if db.get(PlanRow, plan) is None:
                raise Refusal(f"Piano sconosciuto: «{plan}»")
            if tavolo is not None and db.get(TavoloRow, (plan, tavolo)) is None:
                raise Refusal(f"Tavolo sconosciuto: «{tavolo}» nel piano «{plan}»")
        if tavolo is not None and not may_see_tavolo(principal, plan, tavolo):
            raise Refusal(f"Non partecipi al tavolo «{tavolo}» del piano «{plan}»: "
                          "solo i suoi membri, i revisori e gli amministratori ne ricevono gli aggiornamenti")
        with self.lock:
            connection.subscriptions[(plan, tavolo)] = subscription_rooms(principal, plan, tavolo)
        # With `after`, the missed events are sent before any live one: one stream in order. (Beyond a
        # page, `more`: the client catches up the rest from the last event it received.)
        def send_missed() -> dict:
            _last, count, more = self._send_missed(connection, principal, plan, after)
            return {"count": count, "more": more}

        position, caught_up = self.sync_rooms(connection, None if after is None else send_missed)
        if tavolo is not None:
            if self.presence.join(connection.sid, (plan, tavolo), connection.user):
                self.presence_changed((plan, tavolo))  # to the others, gathered
            self.send(connection.sid, "presence", self.presence.snapshot((plan, tavolo)))  # to the newcomer, now
        return {"ok": True, "position": position, **caught_up}

    @answer
    def on_unsubscribe(self, data):
        connection = self._connection()
        plan, tavolo = text(data, "plan"), text(data, "tavolo", required=False)
        self.drop(connection, plan, tavolo)
        return {"ok": True}

    def drop(self, connection: Connection, plan: str, tavolo: str | None) -> None:
        with self.lock:
            connection.subscriptions.pop((plan, tavolo), None)
        self.sync_rooms(connection)
        if tavolo is not None and self.presence.leave(connection.sid, (plan, tavolo)):
            self.presence_changed((plan, tavolo))

    # -- catch up --------------------------------------------------------------------------
    @answer
    def on_catch_up(self, data):
        connection = self._connection()
        plan = text(data, "plan")
        after = position_after(data)
        if not connection.rooms(plan):
            raise Refusal(f"Prima iscriversi al piano «{plan}» (subscribe), poi recuperare gli eventi")
        last, count, more = self._send_missed(connection, self._principal(connection), plan, after)
        return {"ok": True, "position": after if last is None else last, "count": count, "more": more}

    def _send_missed(self, connection: Connection, principal: Principal, plan: str,
                     after: int) -> tuple[int | None, int, bool]:
        """Sends a page of the plan's events after `after` that this socket's rooms would have received
        and did not (those pushed before it entered them): (the last one's position, how many, more?)."""
        since = {room: connection.since[room] for room in connection.rooms(plan) if room in connection.since}
        events, more = missed_events(self.runtime, principal, since, plan, after, CATCH_UP_LIMIT)
        for event in events:
            self.send(connection.sid, "event", event)
        return (events[-1]["position"] if events else None), len(events), more

    # -- soft locks ------------------------------------------------------------------------
    def _in_tavolo(self, data) -> tuple[Connection, tuple[str, str]]:
        connection = self._connection()
        key = (text(data, "plan"), text(data, "tavolo"))
        if key not in connection.subscriptions:
            raise Refusal(f"Prima iscriversi al tavolo «{key[1]}» del piano «{key[0]}» (subscribe)")
        return connection, key

    @answer
    def on_editing(self, data):
        connection, key = self._in_tavolo(data)
        ref = text(data, "objective_ref")
        holder, until = self.presence.edit(connection.sid, key, ref)
        if holder is not None:
            raise Refusal(f"L'obiettivo «{ref}» è già in modifica da {describe(holder)}")
        self.presence_changed(key)
        return {"ok": True, "expires_in": self.presence.lock_seconds}

    @answer
    def on_stopped_editing(self, data):
        connection, key = self._in_tavolo(data)
        if self.presence.stop(connection.sid, key, text(data, "objective_ref", required=False)):
            self.presence_changed(key)
        return {"ok": True}

    # -- permissions changed (called by the watcher) ------------------------------------------
    def revalidate(self, user_ids: set[str], position: int) -> None:
        """Seats or roles of these people changed: leave what they may no longer see, tell them."""
        with self.lock:
            affected = [c for c in self.connections.values() if c.user_id in user_ids]
        for connection in affected:
            principal = self.directory.principal(connection.user_id)
            if principal is None:
                self.socketio.server.disconnect(connection.sid, namespace=NS)
                continue
            for (plan, tavolo) in list(connection.subscriptions):
                if tavolo is not None and not may_see_tavolo(principal, plan, tavolo):
                    self.drop(connection, plan, tavolo)
                    self.send(connection.sid, "unsubscribed", {"plan": plan, "tavolo": tavolo,
                              "error": f"Non partecipi più al tavolo «{tavolo}» del piano «{plan}»"})
                else:
                    with self.lock:
                        connection.subscriptions[(plan, tavolo)] = subscription_rooms(principal, plan, tavolo)
            self.sync_rooms(connection)
            self.send(connection.sid, "access_changed", {"position": position})
