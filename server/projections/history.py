"""The history of every event: who (by id), when, where (plan, tavolo, objective, proposal), what.

Feeds the audit history, the live updates and the "what changed since my last visit" views.
Keeps its own small map of aggregates to their plan/tavolo/objective, so it reads no other
projection except the accounts (for the actor's organisation at that moment).
"""
from __future__ import annotations

from dataclasses import fields as dataclass_fields, is_dataclass
from functools import cached_property
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import (DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, StoredEvent,
                                       UUIDAsHex)
from sqlalchemy import Integer, LargeBinary, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.projections.base import Projection
from server.projections.directory import UserRow
from server.projections.rows import BatchRows, insert_many
from server.projections.summaries import summary

ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def _transcoder() -> JSONTranscoder:
    transcoder = JSONTranscoder()  # with the transcodings eventsourcing's Application registers
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder


STORED_STATE = Mapper(transcoder=_transcoder())  # reads a history row's state back into its event
CREATIONS = {"Plan.Created", "Tavolo.Created", "Meeting.Convened", "Objective.Created", "Proposal.Created"}


class HistoryRow(Base):
    """One row per stored event: where it belongs, who did it, and the event itself as stored.

    The event's state is kept as the store recorded it (no re-encoding while projecting, which was
    the largest cost of a rebuild); `event`, `data` and `summary` decode it when a reader asks."""

    __tablename__ = "rm_history"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(200))
    aggregate_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    plan_key: Mapped[str | None] = mapped_column(String(64), index=True)
    tavolo: Mapped[str | None] = mapped_column(String(64), index=True)
    objective_id: Mapped[str | None] = mapped_column(String(36), index=True)
    objective_ref: Mapped[str | None] = mapped_column(String(64))
    proposal_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor: Mapped[str | None] = mapped_column(String(36), index=True)
    organisation: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[bytes] = mapped_column(LargeBinary)

    @cached_property
    def event(self):
        return STORED_STATE.to_domain_event(StoredEvent(
            originator_id=UUID(self.aggregate_id), originator_version=self.version, topic=self.topic, state=self.state))

    @property
    def data(self) -> dict:
        """The event's own fields, JSON-ready (what the API shows as `data`)."""
        return event_data(self.event)

    @property
    def summary(self) -> str:
        return summary(self.type, self.event, self.objective_ref)


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
    """Builds plain rows in memory and inserts them once per batch (see server/projections/rows.py)."""

    name = "history"
    tables = (HistoryRow, SubjectRow)
    with_stored = True  # also gets the stored event, whose state it keeps as recorded

    def __init__(self):
        self.rows: list[dict] = []
        self.subjects = BatchRows(SubjectRow, keep=True)  # each aggregate's, read by all its events
        self._organisations: dict[str, str | None] = {}  # actor -> organisation, for the batch
        self._mapper = None  # the application's: it knows the store's cipher and compressor, if any

    def begin_batch(self, session: Session, position: int, app) -> None:
        self.rows, self._organisations = [], {}
        self.subjects.begin(position)
        self._mapper = app.mapper

    def end_batch(self, session: Session, position: int) -> None:
        self.subjects.write(session, position)
        insert_many(session, HistoryRow.__table__, self.rows)
        self.rows = []

    def apply(self, session: Session, event, position: int, stored=None) -> None:
        kind = type(event).__qualname__
        aggregate_id = str(event.originator_id)
        subject = (self._new_subject(session, kind, event, aggregate_id) if kind in CREATIONS
                   else self.subjects.get(session, aggregate_id))
        objective_id = subject["objective_id"] if subject else None
        ref = subject["objective_ref"] if subject else None
        if kind == "Plan.ObjectiveRegistered":
            objective_id, ref = event.objective_id, event.ref
        elif kind == "Plan.ObjectiveRenamed":
            objective_id, ref = event.objective_id, event.new_ref
            self._renamed(session, event)
        elif kind in ("Account.Registered", "Account.OrganisationChanged"):
            self._organisations.pop(aggregate_id, None)
        actor = getattr(event, "actor", None) or getattr(event, "author", None)
        self.rows.append({
            "position": position, "at": event.timestamp, "type": kind, "topic": stored.topic,
            "aggregate_id": aggregate_id, "version": event.originator_version,
            "plan_key": subject["plan_key"] if subject else None, "tavolo": subject["tavolo"] if subject else None,
            "objective_id": objective_id, "objective_ref": ref,
            "proposal_id": aggregate_id if kind.startswith("Proposal.") else getattr(event, "proposal_id", None),
            "actor": actor, "organisation": self._organisation(session, actor) if actor else None,
            "state": self._state(stored)})

    def _state(self, stored) -> bytes:
        """The state as the transcoder wrote it (deciphered and decompressed, if the store does that)."""
        state = stored.state
        if self._mapper.cipher:
            state = self._mapper.cipher.decrypt(state)
        if self._mapper.compressor:
            state = self._mapper.compressor.decompress(state)
        return state

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
