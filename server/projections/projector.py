"""Applies new events to every read model, exactly once, and tells listeners after commit.

One transaction per batch: the projection rows and the tracking positions are committed
together, so a crash leaves either both or neither. The batch is claimed first with a
conditional update of the tracking rows, so two projectors (e.g. the server's and a
`coprogramma projector` process) never apply the same event twice; a rebuild's lanes claim theirs
last, each for its own projections (server/projections/lanes.py).
"""
from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

from eventsourcing.utils import resolve_topic
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from server.application.transcoder import ProjectedEvents
from server.db import Base
from server.projections.base import Projection, ProjectionTracking
from server.projections import LANES
from server.projections.batching import batch_session
from server.projections.rows import writes_last
from server.projections.lanes import available as lanes_available, lanes_of, rebuild_in_lanes
from server.replay.log import read_log

log = logging.getLogger(__name__)

REBUILD_BATCH = 20000


@dataclass(frozen=True)
class Projected:
    position: int
    event: object


@dataclass(frozen=True)
class Stalled:
    """The read models stay at `position` (None: unknown, the database did not answer): the batch
    after it failed with `error`, first at `since`."""

    position: int | None
    error: str
    since: datetime


class Projector:
    def __init__(self, app, sessions: sessionmaker, projections: list[Projection],
                 batch_size: int = 500, inline: bool = True, poll_seconds: float = 1.0):
        self.app = app
        self.sessions = sessions
        self.projections = projections
        self.batch_size = batch_size
        self.inline = inline  # this process applies events (else: another process does)
        self.poll_seconds = poll_seconds
        self.listeners: list[Callable[[list[Projected]], None]] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stalled: Stalled | None = None  # set while this process's batches fail, cleared by the next success
        self._ensure_tracking_rows()
        self._ensure_indexes()

    # -- positions -------------------------------------------------------------------
    def _ensure_tracking_rows(self) -> None:
        with self.sessions.begin() as session:
            known = set(session.scalars(select(ProjectionTracking.name)))
            for projection in self.projections:
                if projection.name not in known:
                    session.add(ProjectionTracking(name=projection.name, position=0))

    def _ensure_indexes(self) -> None:
        """Creates the read models' indexes that are missing (after a rebuild, or one that was killed)."""
        engine = self.sessions.kw["bind"]
        for projection in self.projections:
            for model in projection.tables:
                for index in model.__table__.indexes:
                    index.create(engine, checkfirst=True)

    def positions(self) -> dict[str, int]:
        with self.sessions() as session:
            rows = session.execute(select(ProjectionTracking.name, ProjectionTracking.position))
            known = dict(rows.all())
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def position(self) -> int:
        """The position every read model has reached."""
        return min(self.positions().values(), default=0)

    # -- applying --------------------------------------------------------------------
    def run_once(self, stop: int | None = None) -> int:
        """Apply everything pending (up to position `stop`, if given); returns how many events were applied."""
        applied = 0
        while True:
            count = self._apply_batch(stop)
            if not count:
                return applied
            applied += count

    def _apply_batch(self, stop: int | None = None, size: int | None = None, claim_first: bool = True) -> int:
        with self._lock:
            start = None
            try:
                positions = self.positions()
                start = min(positions.values(), default=0)
                applied = self._apply(positions, start, stop, size, claim_first)
            except Exception as error:
                self._stall(start, error)
                raise
            self.stalled = None
            return applied

    def _stall(self, start: int | None, error: Exception) -> None:
        same = self.stalled is not None and self.stalled.position == start
        self.stalled = Stalled(start, f"{type(error).__name__}: {error}"[:500],
                               self.stalled.since if same else datetime.now(timezone.utc))

    def _apply(self, positions: dict[str, int], start: int, stop: int | None, size: int | None,
               claim_first: bool) -> int:
        """One batch in one transaction. `claim_first`: claim it before applying (another projector
        waits, then finds it done); otherwise at the end, so that on SQLite the write lock is held only
        while the rows are written (a rebuild's lanes, server/projections/lanes.py)."""
        recorded = read_log(self.app, start, size or self.batch_size, stop)
        if not recorded:
            return 0
        last = recorded[-1].id
        listening = bool(self.listeners)
        projected = []
        with self.sessions.begin() as session:
            batch_session(session)  # rows stay at hand for the whole batch (see batching.py)
            if claim_first and not self._claim(session, positions, last):
                return 0  # another projector got there first; nothing of ours was written
            for projection in self.projections:
                projection.begin_batch(session, positions[projection.name], self.app)
            routes = {}
            for stored in recorded:
                route = routes.get(stored.topic)
                if route is None:
                    route = routes[stored.topic] = self._route(stored.topic, positions, listening)
                decode, calls = route
                event = decode(stored) if decode else None
                position = stored.id
                for apply, applied_up_to, raw in calls:
                    if position > applied_up_to:
                        apply(session, stored if raw else event, position)
                if listening:
                    projected.append(Projected(position, event))
            with writes_last(session):
                for projection in self.projections:
                    projection.end_batch(session, last)
            if not claim_first and not self._claim(session, positions, last):
                return 0
        self._tell(projected)
        return len(recorded)

    def _route(self, topic: str, positions: dict[str, int], listening: bool) -> tuple[Callable | None, list]:
        """For the stored events of one topic: how to decode them (None: not at all), and the projections'
        appliers. An event no projection here wants is not decoded (a rebuild's lanes want few of them);
        projections get it as `ProjectedEvents` makes it, listeners as the mapper does."""
        event_class = resolve_topic(topic)
        wanting = [(projection, applier) for projection in self.projections
                   if (applier := projection.applier(event_class)) is not None]
        calls = [(applier, positions[projection.name], projection.raw) for projection, applier in wanting]
        decoding = [projection for projection, _ in wanting if not projection.raw]
        if listening:
            return self.app.mapper.to_domain_event, calls
        if not decoding:
            return None, calls
        return ProjectedEvents(self.app.mapper, event_class, all(p.shallow for p in decoding)), calls

    def _claim(self, session, positions: dict[str, int], last: int) -> bool:
        """Moves every projection to `last`, or leaves one already beyond it where it is (a read model
        refilled from 0 while the others stay put, e.g. after a migration); fails if any moved meanwhile."""
        for name, old in positions.items():
            result = session.execute(
                update(ProjectionTracking)
                .where(ProjectionTracking.name == name, ProjectionTracking.position == old)
                .values(position=max(old, last))
            )
            if result.rowcount != 1:
                session.rollback()
                return False
        return True

    def _tell(self, projected: list[Projected]) -> None:
        for listener in self.listeners:
            try:
                listener(projected)
            except Exception:  # a broken listener must not stop the read models
                log.exception("projection listener failed")

    # -- waiting and running -----------------------------------------------------------
    def wait(self, position: int, timeout: float = 10.0) -> bool:
        """Block until the read models reflect `position` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.inline:
                self.run_once()
            if self.position() >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def wake(self, _position: int | None = None) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self.run_forever, name="projector", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def run_forever(self) -> None:
        reported = None  # the stall whose traceback is in the log already: once, not every second
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                if self.stalled != reported:
                    log.exception("projector failed; retrying every second (%s)", self.stalled)
                reported = self.stalled
                time.sleep(1)
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    # -- rebuilding ----------------------------------------------------------------------
    def rebuild(self, progress: Callable[[int], None] | None = None, stop: int | None = None,
                lanes: bool = True) -> int:
        """Drop every read model and apply the whole log again from position 0 (up to `stop`, if given).
        `lanes`: in one process per lane where the machine allows (server/projections/lanes.py)."""
        with self._lock:
            self._drop_read_models()
        total = 0
        # A rebuild makes millions of short-lived objects and almost no garbage cycles: the cyclic
        # collector would spend more time walking them than the projections spend applying events.
        collecting = gc.isenabled()
        gc.disable()
        try:
            parallel = lanes_of(self.projections, LANES) if lanes and lanes_available() else []
            if len(parallel) > 1:
                total = rebuild_in_lanes(self, parallel, stop, max(self.batch_size, REBUILD_BATCH), progress)
                _checkpoint_wal(self.sessions.kw["bind"])
            while True:  # what the lanes left, if anything; larger transactions than live batches
                count = self._apply_batch(stop, max(self.batch_size, REBUILD_BATCH))
                if not count:
                    return total
                total += count
                if progress:
                    progress(count)
        finally:
            if collecting:
                gc.enable()
            self._ensure_indexes()

    def _drop_read_models(self) -> None:
        """Empty read models at position 0, without their secondary indexes, which are built once at
        the end: kept up to date row by row (random UUID keys in the history's six), they cost several
        times the inserts themselves."""
        tables = [model.__table__ for p in self.projections for model in p.tables]
        engine = self.sessions.kw["bind"]
        with _without_secure_delete(engine) as connection:
            Base.metadata.drop_all(connection, tables=list(reversed(tables)))
        Base.metadata.create_all(engine, tables=tables)
        for index in (index for table in tables for index in table.indexes):
            index.drop(engine)
        with self.sessions.begin() as session:
            session.execute(update(ProjectionTracking).values(position=0))
            for projection in self.projections:  # what they keep in memory is of the tables just dropped
                projection.begin_batch(session, 0, self.app)


def _checkpoint_wal(engine) -> None:
    """Copies what the lanes left in SQLite's write-ahead log into the database now, rather than at some
    person's next write (server/projections/lanes.py)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def _without_secure_delete(engine):
    """A connection that frees pages without overwriting them. Debian builds SQLite with
    secure_delete on, so dropping ~400 MB of read models wrote ~400 MB of zeros (1.8 s of a
    rebuild; 0.2 s without). The read models hold nothing the event log does not keep anyway;
    personal data lives in other tables, whose connections keep secure_delete."""
    with engine.begin() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            before = connection.exec_driver_sql("PRAGMA secure_delete").scalar()
            connection.exec_driver_sql("PRAGMA secure_delete=0")
        try:
            yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA secure_delete={int(before)}")
