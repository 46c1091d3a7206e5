"""Checkpoints of the folded plan states, so that the plan at any position is quick to compute.

Every `every` positions (a "mark" M = k * every) the state of each plan that changed since the
previous mark is stored as it was at M. Invariant: for every mark M, each plan's latest
checkpoint at or before M is its state at M. The state at position p is then: the latest mark
M <= p, the plan's latest checkpoint <= M, and the few events in (M, p] replayed from the raw log
(server/replay/state.py).

The folded states are kept in memory between events (folding is cheap, rows are not); before each
batch the memory is checked against the committed position and rebuilt from the checkpoints and
the raw log if it does not match (a rolled-back batch, another projector, a rebuild).
"""
from __future__ import annotations

import logging
import os

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.projections.base import Projection
from server.projections.rows import insert_many
from server.replay.codec import current, plan_from_json, plan_to_json
from server.replay.fold import LogFold, folds
from server.replay.log import replay

log = logging.getLogger(__name__)
DEFAULT_EVERY = int(os.environ.get("COPROGRAMMA_CHECKPOINT_EVERY", "2000"))


class CheckpointRow(Base):
    __tablename__ = "rm_checkpoints"

    plan_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[dict]


class CheckpointMarkRow(Base):
    """The marks reached: every plan's checkpoints are complete up to each of them."""

    __tablename__ = "rm_checkpoint_marks"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)


def latest_mark(session: Session, position: int) -> int:
    found = session.scalar(select(func.max(CheckpointMarkRow.position)).where(CheckpointMarkRow.position <= position))
    return found or 0


def checkpoint_states(session: Session, mark: int, plan_key: str | None = None) -> dict[str, dict]:
    """Each plan's (or one plan's) latest checkpoint at or before `mark`, as stored."""
    latest = select(CheckpointRow.plan_key, func.max(CheckpointRow.position).label("position")) \
        .where(CheckpointRow.position <= mark)
    if plan_key is not None:
        latest = latest.where(CheckpointRow.plan_key == plan_key)
    latest = latest.group_by(CheckpointRow.plan_key).subquery()
    rows = session.execute(select(CheckpointRow.plan_key, CheckpointRow.state).join(
        latest, (CheckpointRow.plan_key == latest.c.plan_key) & (CheckpointRow.position == latest.c.position)))
    return dict(rows.all())


def fold_at(session: Session, app, position: int, plan_key: str | None = None) -> tuple[LogFold, int, set[str]]:
    """The fold at `position` (of every plan, or one): checkpoints at the latest mark, then the raw log.
    Returns the fold, the mark used and the plans changed after it."""
    mark = start = latest_mark(session, position)
    states = checkpoint_states(session, mark, plan_key)
    if not all(current(state) for state in states.values()):
        # Written by an older fold: replay from 0; the plans then count as changed, so the next mark
        # stores them afresh (a rebuild, `coprogramma projections rebuild`, does it at once).
        log.warning("checkpoints of an older version: replaying from position 0")
        start, states = 0, {}
    plans = {key: plan_from_json(state) for key, state in states.items()}
    fold = LogFold(plans, only=plan_key)
    touched: set[str] = set()
    replay(app, fold, start, position, touched.add)
    return fold, mark, touched


class CheckpointsProjection(Projection):
    """Folds only the events of plans, tavoli and objectives (`folds`); the others are not decoded for
    it. Marks are written when a later event is seen, so that marks passed between two folded events
    are written all the same, and the same rows come out whatever the batches."""

    name = "checkpoints"
    tables = (CheckpointRow, CheckpointMarkRow)

    def __init__(self, every: int = DEFAULT_EVERY):
        self.every = every
        self._fold: LogFold | None = None
        self._position: int | None = None  # the position the memory reflects; None: unknown
        self._mark = 0
        self._dirty: set[str] = set()
        self._rows: list[dict] = []  # checkpoints of this batch, written at its end
        self._marks: list[dict] = []

    def wants(self, event_class: type) -> bool:
        return folds(event_class)

    def begin_batch(self, session: Session, position: int, app) -> None:
        self._rows, self._marks = [], []
        if self._fold is None or self._position != position:
            self._fold, self._mark, self._dirty = fold_at(session, app, position)
            self._position = position

    def apply(self, session: Session, event, position: int) -> None:
        self._marks_before(position)
        self._position = None  # in flux until the event is applied
        key = self._fold.apply(event, position)
        if key:
            self._dirty.add(key)
        self._position = position

    def end_batch(self, session: Session, position: int) -> None:
        self._marks_before(position)  # the events after the last folded one changed nothing folded
        self._position = position
        insert_many(session, CheckpointRow.__table__, self._rows)
        insert_many(session, CheckpointMarkRow.__table__, self._marks)
        self._rows, self._marks = [], []

    def _marks_before(self, position: int) -> None:
        """Every mark strictly before `position` not written yet: the fold is the state at each of them."""
        for mark in range((self._mark // self.every + 1) * self.every, position, self.every):
            self._rows += [{"plan_key": key, "position": mark, "state": plan_to_json(self._fold.plans[key])}
                           for key in sorted(self._dirty)]
            self._marks.append({"position": mark})
            self._mark, self._dirty = mark, set()
