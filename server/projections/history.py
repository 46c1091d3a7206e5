"""The history of every event: who (by id), when, where (plan, tavolo, objective, proposal), what.

Feeds the audit history, the live updates and the "what changed since my last visit" views.
Keeps its own small map of aggregates to their plan/tavolo/objective, so it reads no other
projection except the accounts (for the actor's organisation at that moment).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields as dataclass_fields, is_dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.objective import REOPENED_REASON
from server.projections.base import Projection
from server.projections.directory import UserRow
from server.projections.rows import BatchRows, insert_many
from server.projections.summaries import summary
from server.replay.log import events_at

ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}
CREATIONS = {"Plan.Created", "Tavolo.Created", "Meeting.Convened", "Objective.Created", "Proposal.Created"}


class HistoryRow(Base):
    """One row per stored event: where it belongs and who did it, to find events by; what they say is
    read from the event store itself (`with_events`), so the history shows the events as they are
    stored, like every other audit read, and the read models do not hold a second copy of the log."""

    __tablename__ = "rm_history"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    plan_key: Mapped[str | None] = mapped_column(String(64), index=True)
    tavolo: Mapped[str | None] = mapped_column(String(64), index=True)
    objective_id: Mapped[str | None] = mapped_column(String(36), index=True)
    objective_ref: Mapped[str | None] = mapped_column(String(64))
    proposal_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor: Mapped[str | None] = mapped_column(String(36), index=True)
    organisation: Mapped[str | None] = mapped_column(String(64))
    _event = None  # not a column: set by `with_events`

    @property
    def event(self):
        """The stored event, once `with_events` has read it."""
        if self._event is None:
            raise RuntimeError("history rows are read with with_events()")
        return self._event

    @property
    def data(self) -> dict:
        """The event's own fields, JSON-ready (what the API shows as `data`)."""
        return event_data(self.event)

    @property
    def summary(self) -> str:
        return summary(self.type, self.event, self.objective_ref)


def with_events(app, rows: Sequence[HistoryRow], known: dict | None = None) -> Sequence[HistoryRow]:
    """Reads each row's event from the event store (one query for the lot; `known`: events at hand, by
    position) and returns the rows. An altered log raises as `events_at` says (409 `tampered`, console
    status 1)."""
    known = known or {}
    read = events_at(app, {row.position: (row.aggregate_id, row.version) for row in rows if row.position not in known})
    for row in rows:
        row._event = known[row.position] if row.position in known else read[row.position]
    return rows


class SubjectRow(Base):
    """Where each aggregate belongs: filled from creation events, kept up to date on renames."""

    __tablename__ = "rm_history_subjects"

    aggregate_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_key: Mapped[str | None] = mapped_column(String(64))
    tavolo: Mapped[str | None] = mapped_column(String(64))
    objective_id: Mapped[str | None] = mapped_column(String(36))
    objective_ref: Mapped[str | None] = mapped_column(String(64))


def event_data(event) -> dict:
    names = [f.name for f in dataclass_fields(event)] if is_dataclass(event) else list(vars(event))
    return {name: _plain(getattr(event, name)) for name in names if name not in ENVELOPE}


def _plain(value):
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class HistoryProjection(Projection):
    """Builds plain rows in memory and inserts them once per batch (see server/projections/rows.py).
    Every event has a row, and only plain fields at its top level are read (`shallow`)."""

    name = "history"
    tables = (HistoryRow, SubjectRow)
    shallow = True
    reads = ("directory",)  # the actor's organisation at that moment

    def wants(self, event_class: type) -> bool:
        return True

    def __init__(self):
        self.rows: list[dict] = []
        self.subjects = BatchRows(SubjectRow, keep=True)  # each aggregate's, read by all its events
        self._organisations: dict[str, str | None] = {}  # actor -> organisation, for the batch
        self._registrations: dict[str, dict] = {}  # objective id -> its registration row, until it is placed
        self._changes: dict[str, tuple[int, str | None]] = {}  # objective id -> (version, proposal) of its last change
        self._unlinked: dict[str, list[dict]] = {}  # proposal id -> its rows of this batch naming no objective yet

    def begin_batch(self, session: Session, position: int, app) -> None:
        self.rows, self._organisations, self._registrations, self._changes, self._unlinked = [], {}, {}, {}, {}
        self.subjects.begin(position)

    def end_batch(self, session: Session, position: int) -> None:
        self.subjects.write(session, position)
        insert_many(session, HistoryRow.__table__, self.rows)
        self.rows = []

    def apply(self, session: Session, event, position: int) -> None:
        kind = type(event).__qualname__
        aggregate_id = str(event.originator_id)
        subject = (self._new_subject(session, kind, event, aggregate_id) if kind in CREATIONS
                   else self.subjects.get(session, aggregate_id))
        objective_id = subject["objective_id"] if subject else None
        ref = subject["objective_ref"] if subject else None
        tavolo = subject["tavolo"] if subject else None
        proposal_id = aggregate_id if kind.startswith("Proposal.") else getattr(event, "proposal_id", None)
        unplaced = False
        if kind == "Plan.ObjectiveRegistered":
            objective_id, ref = event.objective_id, event.ref
            tavolo = self._tavolo_of(session, objective_id)
            unplaced = self.subjects.get(session, objective_id) is None
        elif kind == "Plan.ObjectiveRenamed":
            objective_id, ref = event.objective_id, event.new_ref
            tavolo = self._tavolo_of(session, objective_id)
            self._renamed(session, event)
        elif kind == "Objective.Created" and not event.proposal_id:  # an approval registers it afterwards
            self._placed(session, aggregate_id, event.tavolo)
        elif kind == "Objective.Created":
            self._linked(session, event.proposal_id, aggregate_id, event.ref)
        elif kind == "Objective.FieldsChanged":
            self._changes[aggregate_id] = (event.originator_version, proposal_id)
        elif kind == "Objective.StatusChanged" and event.reason == REOPENED_REASON:
            proposal_id = self._cause(session, aggregate_id, event.originator_version - 1)
        elif kind in ("Account.Registered", "Account.OrganisationChanged"):
            self._organisations.pop(aggregate_id, None)
        actor = getattr(event, "actor", None) or getattr(event, "author", None)
        row = {
            "position": position, "at": event.timestamp, "type": kind,
            "aggregate_id": aggregate_id, "version": event.originator_version,
            "plan_key": subject["plan_key"] if subject else None, "tavolo": tavolo,
            "objective_id": objective_id, "objective_ref": ref, "proposal_id": proposal_id,
            "actor": actor, "organisation": self._organisation(session, actor) if actor else None}
        self.rows.append(row)
        if proposal_id and objective_id is None and kind.startswith("Proposal."):
            self._unlinked.setdefault(proposal_id, []).append(row)
        if unplaced:
            self._registrations[objective_id] = row  # saved before its objective: placed by Objective.Created

    def _tavolo_of(self, session: Session, objective_id: str) -> str | None:
        """The tavolo of an objective, so that its registration and renames are filed under it too."""
        subject = self.subjects.get(session, objective_id)
        return subject["tavolo"] if subject else None

    def _placed(self, session: Session, objective_id: str, tavolo: str | None) -> None:
        """An objective saved after its registration (an import, a coordinator's new objective): the
        registration row gets the objective's tavolo, in this batch or (a save split between two
        batches) in the previous one."""
        row = self._registrations.pop(objective_id, None)
        if row is not None:
            row["tavolo"] = tavolo
        elif tavolo is not None:
            session.execute(update(HistoryRow).where(
                HistoryRow.objective_id == objective_id, HistoryRow.type == "Plan.ObjectiveRegistered",
                HistoryRow.tavolo.is_(None)).values(tavolo=tavolo))

    def _linked(self, session: Session, proposal_id: str, objective_id: str, ref: str) -> None:
        """A new-objective proposal approved: its events so far, and those to come (comments after the
        decision), name the objective it created, so that the objective's history shows who proposed it."""
        subject = self.subjects.get(session, proposal_id)
        if subject is not None:
            subject.update(objective_id=objective_id, objective_ref=ref)
            self.subjects.touch(subject)
        rows = self._unlinked.pop(proposal_id, [])
        for row in rows:
            row.update(objective_id=objective_id, objective_ref=ref)
        if not any(row["type"] == "Proposal.Created" for row in rows):  # it began in an earlier batch
            session.execute(update(HistoryRow).where(HistoryRow.proposal_id == proposal_id,
                                                     HistoryRow.objective_id.is_(None))
                            .values(objective_id=objective_id, objective_ref=ref))

    def _cause(self, session: Session, objective_id: str, version: int) -> str | None:
        """The proposal whose approval changed the text and so reopened the objective (the change is
        the objective's previous event, recorded in the same save)."""
        known = self._changes.get(objective_id)
        if known is not None and known[0] == version:
            return known[1]
        return session.scalar(select(HistoryRow.proposal_id).where(
            HistoryRow.aggregate_id == objective_id, HistoryRow.version == version,
            HistoryRow.type == "Objective.FieldsChanged"))

    def _organisation(self, session: Session, actor: str) -> str | None:
        """The actor's organisation at this moment (the directory projection has applied this event)."""
        try:
            return self._organisations[actor]
        except KeyError:
            user = session.get(UserRow, actor)
            found = self._organisations[actor] = user.organisation if user else None
            return found

    def _renamed(self, session: Session, event) -> None:
        self.subjects.write(session)  # then every subject of the objective is in the table
        session.execute(update(SubjectRow).where(
            (SubjectRow.aggregate_id == event.objective_id) | (SubjectRow.objective_id == event.objective_id))
            .values(objective_ref=event.new_ref))
        self.subjects.forget()  # the rows in memory still have the old reference

    def _new_subject(self, session: Session, kind: str, event, aggregate_id: str) -> dict | None:
        subject = {"aggregate_id": aggregate_id, "plan_key": event.plan_key if kind != "Plan.Created" else event.key,
                   "tavolo": None, "objective_id": None, "objective_ref": None}
        if kind == "Tavolo.Created":
            subject["tavolo"] = event.key
        elif kind == "Meeting.Convened":
            subject["tavolo"] = event.tavolo
        elif kind == "Objective.Created":
            subject.update(tavolo=event.tavolo, objective_id=aggregate_id, objective_ref=event.ref)
        elif kind == "Proposal.Created":
            target = self.subjects.get(session, event.objective_id) if event.objective_id else None
            subject.update(tavolo=event.tavolo, objective_id=event.objective_id,
                           objective_ref=target["objective_ref"] if target else None)
        return self.subjects.add(subject)
