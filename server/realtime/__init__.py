"""Live collaboration over Socket.IO (spec/api.md, "Live updates").

- `handlers.py`: connect (bearer token or session cookie), `subscribe`/`unsubscribe`, `catch_up`,
  `editing`/`stopped_editing`; refusals are acks `{"ok": false, "error": <Italian>}`.
- `rooms.py`: who may subscribe to what, and the rooms an event goes to (room isolation).
- `push.py`: the projector listener that emits `event` after the read models are committed,
  through the app's SocketIO or, in a `coprogramma projector` process, a write-only SocketIO on
  the message queue.
- `presence.py` + `watcher.py`: who is in a tavolo and who edits which objective (soft locks that
  expire), and the background task that expires locks and re-checks permissions.
- `assets.py`: the socket.io-client bundle, served from web/node_modules (no CDN).

Options (environment, or the same key in the Flask config):
`COPROGRAMMA_ASYNC_MODE` = `threading` (default) | `gevent` (never eventlet);
`COPROGRAMMA_LOCK_SECONDS` (soft-lock lifetime without renewal, default 60);
`COPROGRAMMA_PRESENCE_DELAY` (seconds over which presence changes of a tavolo are gathered into one
`presence` message, default 0.25: when 70 people join at once, 1 message each instead of 70);
`COPROGRAMMA_CORS_ORIGINS` (comma-separated origins allowed to open sockets; default same origin).
"""
from __future__ import annotations

import os

from flask import Flask
from flask_socketio import SocketIO

from server import jsonutil

ASYNC_MODES = ("threading", "gevent")


def option(app: Flask | None, name: str, default: str | None = None) -> str | None:
    if app is not None and app.config.get(name) is not None:
        return str(app.config[name])
    return os.environ.get(name) or default


def async_mode(app: Flask | None = None) -> str:
    mode = (option(app, "COPROGRAMMA_ASYNC_MODE", "threading") or "threading").strip().lower()
    if mode not in ASYNC_MODES:
        raise ValueError(f"COPROGRAMMA_ASYNC_MODE deve essere uno tra {', '.join(ASYNC_MODES)} (non {mode!r})")
    return mode


class ExactJSON:
    """Socket.IO packets with the API's JSON: Decimals exact, keys in the order given."""

    @staticmethod
    def dumps(obj, **kwargs) -> str:
        return jsonutil.dumps(obj, **kwargs)

    @staticmethod
    def loads(text, **kwargs):
        return jsonutil.loads(text, **kwargs)


def write_only_socketio(message_queue: str) -> SocketIO:
    """An emitter for a process that serves no sockets (the `coprogramma projector`): it only
    publishes to the message queue, from the projector's thread (so threading, whatever the servers use)."""
    return SocketIO(message_queue=message_queue, async_mode="threading", json=ExactJSON)


def init_app(app: Flask, runtime, *, project_inline: bool) -> SocketIO:
    """Attach Socket.IO to the app; when this process projects, push events after commit."""
    from server.realtime.assets import blueprint
    from server.realtime.handlers import Live
    from server.realtime.push import Pusher

    origins = option(app, "COPROGRAMMA_CORS_ORIGINS")
    socketio = SocketIO(app, async_mode=async_mode(app), message_queue=runtime.settings.message_queue,
                        json=ExactJSON, async_handlers=False,  # one client's messages in order
                        cors_allowed_origins=[o.strip() for o in origins.split(",")] if origins else None)
    pusher = Pusher(runtime, socketio.emit) if project_inline else None
    if pusher is not None:
        runtime.projector.listeners.append(pusher)
    live = Live(app, socketio, runtime, pusher, lock_seconds=float(option(app, "COPROGRAMMA_LOCK_SECONDS", "60")),
                presence_delay=float(option(app, "COPROGRAMMA_PRESENCE_DELAY", "0.25")))
    app.extensions["coprogramma.live"] = live
    app.register_blueprint(blueprint)
    return socketio
