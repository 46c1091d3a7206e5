"""A rebuild in lanes (one forked process each, server/projections/lanes.py) gives exactly the read
models of a rebuild in one process, on SQLite and PostgreSQL; a lane that fails stops the rebuild
with its error and leaves no process behind."""
from __future__ import annotations

import hashlib
import os
from uuid import UUID

import pytest
from sqlalchemy import select

from server.audit.verify import verify
from server.demo import load_demo
from server.projections import LANES, all_projections, lanes
from server.projections import projector as projector_module
from server.projections.chain import ChainRow
from server.projections.proposals import ProposalsProjection
from server.replay.log import read_log, stored_at
from server.runtime import Runtime
from tests.projections.replay_history import rich_history
from tests.projections.test_projector import dump_read_models


@pytest.fixture
def rt(settings):
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def forks(monkeypatch):
    """The pids of the lanes forked, and the lanes each rebuild ran."""
    seen = {"pids": [], "lanes": []}
    fork, run = os.fork, lanes.rebuild_in_lanes

    def counted_fork():
        pid = fork()
        if pid:
            seen["pids"].append(pid)
        return pid

    def counted_run(projector, names, *args):
        seen["lanes"].append(names)
        return run(projector, names, *args)

    monkeypatch.setattr(lanes.os, "fork", counted_fork)
    monkeypatch.setattr(projector_module, "rebuild_in_lanes", counted_run)
    return seen


def test_every_projection_is_in_one_lane_with_what_it_reads():
    order = [projection.name for projection in all_projections()]
    placed = [name for lane in LANES for name in lane]
    assert sorted(placed) == sorted(order) and len(placed) == len(set(placed))
    for projection in all_projections():
        lane = next(lane for lane in lanes.lanes_of(all_projections(), LANES) if projection.name in lane)
        for read in projection.reads:
            assert read in lane and lane.index(read) < lane.index(projection.name), (projection.name, read)


def test_a_rebuild_in_lanes_gives_the_read_models_of_one_process(rt, forks, monkeypatch):
    load_demo(rt)
    rich_history(rt.app)
    rt.projector.run_once()
    live, head = dump_read_models(rt), verify(rt)["head"]
    monkeypatch.setattr(projector_module, "REBUILD_BATCH", 7)  # many batches: the lanes write in turns
    progressed = []
    assert rt.projector.rebuild(progress=progressed.append) == rt.event_position() == sum(progressed)
    assert forks["lanes"] == [[list(lane) for lane in LANES]] and len(forks["pids"]) == len(LANES)
    assert os.getpid() not in forks["pids"]
    assert dump_read_models(rt) == live
    assert verify(rt)["head"] == head
    rt.projector.rebuild(lanes=False)
    assert dump_read_models(rt) == live


def test_a_lane_that_fails_stops_the_rebuild_with_its_error(rt, forks, monkeypatch):
    rich_history(rt.app)
    rt.projector.run_once()
    live = dump_read_models(rt)

    def broken(self, session, event, position):
        raise RuntimeError("guasto nella corsia delle proposte")

    monkeypatch.setattr(ProposalsProjection, "_commented", broken)
    with pytest.raises(RuntimeError, match="guasto nella corsia"):
        rt.projector.rebuild()
    for pid in forks["pids"]:  # every lane was waited for (or stopped): none left running or unreaped
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert rt.projector.positions()["proposals"] < rt.event_position()
    monkeypatch.undo()
    rt.projector.rebuild()
    assert dump_read_models(rt) == live


def test_the_log_reads_as_the_recorder_reads_it(rt):
    rich_history(rt.app)
    head = rt.event_position()
    expected = rt.app.recorder.select_notifications(start=1, limit=head)
    read = read_log(rt.app, 0, head)
    assert [(r.id, UUID(r.originator_id), r.originator_version, r.topic, r.state) for r in read] == \
           [(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in expected]
    assert [r.id for r in read_log(rt.app, 3, 4, stop=5)] == [4, 5]
    assert read_log(rt.app, head, 10) == []
    assert stored_at(rt.app, [5, 2, 5, head + 7]) == {2: read[1], 5: read[4]}


def test_a_link_is_the_sha256_of_the_previous_link_and_the_stored_event(rt):
    """The chain as server/audit/verify_bundle.py defines it, computed here from its words."""
    rich_history(rt.app)
    rt.projector.run_once()
    link = bytes(32)
    with rt.sessions() as session:
        stored = dict(session.execute(select(ChainRow.position, ChainRow.link)).all())
    for event in rt.app.recorder.select_notifications(start=1, limit=rt.event_position()):
        state = bytes(event.state)
        canonical = b"coprogramma-event/1\n" + b"\n".join(
            str(part).encode() for part in (event.id, event.originator_id, event.originator_version, event.topic,
                                            len(state))) + b"\n" + state
        link = hashlib.sha256(link + canonical).digest()
        assert stored[event.id] == link.hex(), event.id
