"""A rebuild on every core: the projections in lanes, each lane rebuilt by a process of its own.

A rebuild is Python turning events into rows: one process keeps one core busy and leaves the
others idle. The projections fall into groups that read nothing of each other's tables
(`Projection.reads`) and need few of the same events decoded (`Projection.wants`): the lanes of
`server.projections.LANES`. Each lane is a child forked from the rebuilding process, with
connections of its own, running the projector over its projections alone from position 0. It
claims each batch at its end, so that on SQLite, where writers take turns, the write lock is held
only while a batch's rows are written, and the lanes compute side by side.

The children run nothing but the lane: they never touch what the parent had open (SQLite forbids
using a connection across fork), never print, and leave with `os._exit`. Where fork is missing
(not Linux), or there is one core, the rebuild runs in one process as before.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import wait

from sqlalchemy import event

from server.db import make_engine, make_sessionmaker


def available() -> bool:
    """Linux (fork is safe for what the children do) with more than one core for this process."""
    return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


def lanes_of(projections, lanes: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """The lanes holding these projections (those of `lanes` that have any), each in projector order."""
    order = [projection.name for projection in projections]
    found = [[name for name in order if name in lane] for lane in lanes]
    return [lane for lane in found if lane]


def rebuild_in_lanes(projector, lanes: list[list[str]], stop: int | None, batch: int,
                     progress: Callable[[int], None] | None) -> int:
    """Runs each lane in a child; returns how many events every lane applied (progress: as they go)."""
    children: dict = {}  # channel -> pid, until reaped
    try:
        for names in lanes:
            receiving, sending = Pipe(duplex=False)
            with warnings.catch_warnings():
                # Python 3.12 warns when a process with threads forks; the child touches no lock of theirs.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
            if pid == 0:
                receiving.close()
                _run_lane(projector, names, stop, batch, sending)  # never returns
            sending.close()
            children[receiving] = pid
        applied = _follow(children, progress)
        while children:
            os.waitpid(children.popitem()[1], 0)
        return applied
    finally:  # a lane failed, or an interruption: stop the others
        for pid in children.values():
            _stop(pid)


def _follow(children: dict, progress: Callable[[int], None] | None) -> int:
    counts = dict.fromkeys(children, 0)
    reported, running = 0, set(children)
    while running:
        for channel in wait(list(running)):
            try:
                kind, value = channel.recv()
            except EOFError:
                raise RuntimeError(f"una corsia della ricostruzione si è interrotta (processo {children[channel]})") \
                    from None
            if kind == "applied":
                counts[channel] += value
            elif kind == "done":
                running.discard(channel)
            else:
                raise value
        done = min(counts.values())
        if progress and done > reported:
            progress(done - reported)
        reported = done
    return reported


def _run_lane(projector, names: list[str], stop: int | None, batch: int, channel) -> None:
    """In the child: rebuild this lane's projections, telling the parent each batch applied."""
    status = 1
    try:
        inherited = projector.app, projector.sessions  # kept referenced: never closed from here
        projector.app, projector.sessions = _reopened(*inherited)
        projector.projections = [projection for projection in projector.projections if projection.name in names]
        projector.listeners, projector._lock = [], threading.Lock()  # (the parent's lock may be held)
        while count := projector._apply_batch(stop, batch, claim_first=False):
            channel.send(("applied", count))
        projector._ensure_indexes()  # this lane's tables, while the other lanes go on
        channel.send(("done", None))
        status = 0
    except BaseException as error:  # noqa: BLE001 - told to the parent, which raises it
        try:
            channel.send(("failed", error))
        except Exception:  # noqa: BLE001 - an error that does not pickle
            channel.send(("failed", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        os._exit(status)


def _reopened(app, sessions):
    """The same event store and read-model database, on connections of this process."""
    fresh = type(app)(env={**app.env, "CREATE_TABLE": "false"})
    engine = make_engine(sessions.kw["bind"].url.render_as_string(hide_password=False))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _fewer_checkpoints)
    return fresh, make_sessionmaker(engine)


def _fewer_checkpoints(dbapi_connection, _record) -> None:
    """SQLite copies the write-ahead log into the database, and syncs both to disk, whenever it passes
    1000 pages: sixty times for 100 000 events' rows, ~1 s of a lane waiting on the disk. Every 64 MB
    instead; the rebuild checkpoints once more at its end (`Projector.rebuild`)."""
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")


CHECKPOINT_PAGES = 16384  # of 4 KiB


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
