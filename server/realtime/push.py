"""Push after commit: a projector listener that emits `event` for every committed position.

`Projector` calls its listeners after the batch transaction has committed, in position order, in
the process that projects (the `serve` process, or a `coprogramma projector` process). The
listener reads the `rm_history` rows of those positions (committed in the same transaction as
every other read model, so a client that reads the API on receipt sees the change) and emits
`server.history.event_json` of each to the rooms of its plan/tavolo. Never from request handlers.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy import func, select

from server.queries.history import events_json
from server.projections.base import ProjectionTracking
from server.projections.history import HistoryRow
from server.realtime.rooms import event_rooms

log = logging.getLogger(__name__)


def history_position(sessions) -> int:
    """The position the history read model has reached (what the live updates can tell)."""
    with sessions() as session:
        position = session.scalar(select(ProjectionTracking.position).where(ProjectionTracking.name == "history"))
    return position or 0


def projected_position(sessions) -> int:
    """The furthest position any read model has reached."""
    with sessions() as session:
        return session.scalar(select(func.max(ProjectionTracking.position))) or 0


class Pusher:
    """`emit(event, payload, to=rooms)`: the app's `SocketIO.emit`, or a write-only one's."""

    def __init__(self, runtime, emit: Callable, start_after: int | None = None):
        self.app = runtime.app
        self.sessions = sessions = runtime.sessions
        self.emit = emit
        # Events already in any read model when this process started were pushed by whoever projected
        # them first (or are caught up); a projection refilled from 0 (a migration that reshapes the
        # history, a new projection) must not push them again.
        self.last = projected_position(sessions) if start_after is None else start_after
        self._lock = threading.Lock()

    @contextmanager
    def held(self):
        """Nothing is pushed while this is held. Yields the last position pushed: a room entered
        meanwhile receives exactly the events after it."""
        with self._lock:
            yield self.last

    def __call__(self, projected) -> None:
        positions = [p.position for p in projected if p.position > self.last]
        if not positions:
            return
        with self._lock:
            with self.sessions() as session:
                rows = session.scalars(
                    select(HistoryRow)
                    .where(HistoryRow.position > self.last, HistoryRow.position <= positions[-1],
                           HistoryRow.plan_key.is_not(None))
                    .order_by(HistoryRow.position)).all()
                decoded = {p.position: p.event for p in projected}  # no need to read these again
                shown = events_json(self.app, session, rows, decoded)
            for row, event in zip(rows, shown):
                self.emit("event", event, to=event_rooms(row.plan_key, row.tavolo))
            self.last = positions[-1]
