"""A background task per server process, running while it has sockets:

- expires the soft locks of its sockets that were not renewed in time and sends the new
  `presence` (no client message needed);
- follows the history for changes of seats and roles (in whatever process they were written)
  and re-checks the subscriptions of the people concerned (`Live.revalidate`).
"""
from __future__ import annotations

import logging
import time

from sqlalchemy import func, select

from server.projections.history import HistoryRow, with_events

log = logging.getLogger(__name__)

ACCESS_EVENTS = ("Tavolo.MemberAdded", "Tavolo.MemberRemoved", "Tavolo.MemberRoleChanged",
                 "Account.RoleGranted", "Account.RoleRevoked", "Account.PersonalDataErased")


class Watcher:
    def __init__(self, live, access_seconds: float = 1.0):
        self.live = live
        self.tick = max(0.05, min(access_seconds, live.presence.lock_seconds / 4))
        self.access_seconds = access_seconds
        self.running = False
        self.cursor: int | None = None

    def ensure_running(self) -> None:
        with self.live.lock:
            if self.running:
                return
            self.running = True
        if self.cursor is None:
            self.cursor = self._last_position()
        self.live.socketio.start_background_task(self._run)

    def _run(self) -> None:
        next_access = 0.0
        try:
            while True:
                self.live.socketio.sleep(self.tick)
                with self.live.lock:
                    if not self.live.connections:
                        self.running = False
                        return
                try:
                    for key in self.live.presence.expire():
                        self.live.presence_changed(key)
                    if time.monotonic() >= next_access:
                        next_access = time.monotonic() + self.access_seconds
                        self.check_access()
                except Exception:  # keep watching; the next tick tries again
                    log.exception("live watcher failed")
        finally:
            with self.live.lock:
                self.running = False

    def _last_position(self) -> int:
        with self.live.runtime.sessions() as db:
            return db.scalar(select(func.max(HistoryRow.position))) or 0

    def check_access(self) -> None:
        with self.live.runtime.sessions() as db:
            last = db.scalar(select(func.max(HistoryRow.position))) or 0
            rows = db.scalars(select(HistoryRow)
                              .where(HistoryRow.position > self.cursor, HistoryRow.position <= last,
                                     HistoryRow.type.in_(ACCESS_EVENTS))
                              .order_by(HistoryRow.position)).all()
            with_events(self.live.runtime.app, rows)
        users = {row.data.get("user_id") if row.type.startswith("Tavolo.") else row.aggregate_id for row in rows}
        users.discard(None)
        if users:
            self.live.revalidate(users, rows[-1].position)
        self.cursor = max(self.cursor, last)
