"""The history of every event: who (by id), when, where (plan, tavolo, objective, proposal), what.

Feeds the audit history, the live updates and the "what changed since my last visit" views.
Keeps its own small map of aggregates to their plan/tavolo/objective, so it reads no other
projection except the accounts (for the actor's organisation at that moment).
"""
from __future__ import annotations

from dataclasses import fields as dataclass_fields, is_dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.projections.base import Projection
from server.projections.directory import UserRow
from server.projections.summaries import summary

ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}
CREATIONS = {"Plan.Created", "Tavolo.Created", "Meeting.Convened", "Objective.Created", "Proposal.Created"}


class HistoryRow(Base):
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
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict]


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
    name = "history"
    tables = (HistoryRow, SubjectRow)

    def apply(self, session: Session, event, position: int) -> None:
        kind = type(event).__qualname__
        aggregate_id = str(event.originator_id)
        if kind in CREATIONS:  # a new aggregate: no need to look for its subject
            subject = self._new_subject(session, kind, event, aggregate_id)
        else:
            subject = self._subject(session, aggregate_id)
        if kind == "Plan.ObjectiveRenamed":
            target = self._subject(session, event.objective_id)
            target.objective_ref = event.new_ref
            for proposal in session.query(SubjectRow).filter(SubjectRow.objective_id == event.objective_id):
                proposal.objective_ref = event.new_ref
        actor = getattr(event, "actor", None) or getattr(event, "author", None)
        user = session.get(UserRow, actor) if actor else None
        objective_id = subject.objective_id if subject else None
        ref = subject.objective_ref if subject else None
        if kind in ("Plan.ObjectiveRegistered", "Plan.ObjectiveRenamed"):
            objective_id = event.objective_id
            ref = event.ref if kind == "Plan.ObjectiveRegistered" else event.new_ref
        session.add(HistoryRow(
            position=position, at=event.timestamp, type=kind, aggregate_id=aggregate_id,
            version=event.originator_version, plan_key=subject.plan_key if subject else None,
            tavolo=subject.tavolo if subject else None, objective_id=objective_id, objective_ref=ref,
            proposal_id=aggregate_id if kind.startswith("Proposal.") else getattr(event, "proposal_id", None),
            actor=actor, organisation=user.organisation if user else None, summary=summary(kind, event, ref), data=event_data(event)))

    @staticmethod
    def _subject(session: Session, aggregate_id: str) -> SubjectRow | None:
        """Subjects are kept for the batch (one dict per session), so that reading one neither queries
        the database again nor forces a flush of everything pending (rebuild speed)."""
        known = session.info.setdefault("history_subjects", {})
        if aggregate_id not in known:
            known[aggregate_id] = session.get(SubjectRow, aggregate_id)
        return known[aggregate_id]

    def _new_subject(self, session: Session, kind: str, event, aggregate_id: str) -> SubjectRow | None:
        if kind == "Plan.Created":
            subject = SubjectRow(aggregate_id=aggregate_id, plan_key=event.key)
        elif kind in ("Tavolo.Created", "Meeting.Convened"):
            subject = SubjectRow(aggregate_id=aggregate_id, plan_key=event.plan_key,
                                 tavolo=getattr(event, "key", None) if kind == "Tavolo.Created" else event.tavolo)
        elif kind == "Objective.Created":
            subject = SubjectRow(aggregate_id=aggregate_id, plan_key=event.plan_key, tavolo=event.tavolo,
                                 objective_id=aggregate_id, objective_ref=event.ref)
        elif kind == "Proposal.Created":
            target = self._subject(session, event.objective_id) if event.objective_id else None
            subject = SubjectRow(aggregate_id=aggregate_id, plan_key=event.plan_key, tavolo=event.tavolo,
                                 objective_id=event.objective_id, objective_ref=target.objective_ref if target else None)
        else:
            return None  # accounts and organisations belong to no plan
        session.add(subject)
        session.info.setdefault("history_subjects", {})[aggregate_id] = subject
        return subject
