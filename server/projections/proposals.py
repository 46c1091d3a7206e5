"""Proposals with their comments and supports: the review queue and each proposal's page.

A proposal's row names the fields it changes and the event that holds their proposed and base values
(`content_position`, its creation or last revision); the values themselves are read from the event
store (server/queries/proposals.py), like the history's events, instead of a second copy here:
decoding, encoding and writing that copy was half of what rebuilding the proposals cost."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.objective import Objective
from server.events.proposal import DECISIONS, Proposal
from server.projections.base import Projection, handles
from server.projections.rows import BatchRows, insert_many


class ProposalRow(Base):
    __tablename__ = "rm_proposals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(64), index=True)
    tavolo: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    objective_id: Mapped[str | None] = mapped_column(String(36), index=True)
    macro_area: Mapped[str | None] = mapped_column(String(32))
    base_version: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[list]  # the names of the fields it changes (or proposes, for a new objective), in order
    content_position: Mapped[int] = mapped_column(Integer)  # the event with their values
    rationale: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(36), index=True)
    organisation: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), index=True)
    decision: Mapped[dict | None]
    revisions: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    updated_position: Mapped[int] = mapped_column(Integer)


class CommentRow(Base):
    __tablename__ = "rm_proposal_comments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(36), index=True)
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(36))
    organisation: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class SupportRow(Base):
    __tablename__ = "rm_proposal_supports"

    proposal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]


class ProposalsProjection(Projection):
    """Rows live in memory for the batch (server/projections/rows.py): a proposal created, commented,
    supported and decided in one batch is written once. Reads only plain fields at an event's top level
    and the names of a proposal's changes (`shallow`)."""

    name = "proposals"
    tables = (ProposalRow, CommentRow, SupportRow)
    shallow = True

    def __init__(self):
        self.proposals = BatchRows(ProposalRow)
        self.comments: list[dict] = []
        self.supports: list[dict] = []

    def begin_batch(self, session: Session, position: int, app) -> None:
        self.proposals.begin(position)
        self.comments, self.supports = [], []

    def end_batch(self, session: Session, position: int) -> None:
        self.proposals.write(session, position)
        insert_many(session, CommentRow.__table__, self.comments)
        insert_many(session, SupportRow.__table__, self.supports)
        self.comments, self.supports = [], []

    def _row(self, session: Session, event, position: int) -> dict:
        row = self.proposals.get(session, str(event.originator_id))
        row["updated_at"], row["updated_position"] = event.timestamp, position
        self.proposals.touch(row)
        return row

    @handles(Proposal.Created)
    def _created(self, session: Session, event, position: int) -> None:
        self.proposals.add(dict(
            id=str(event.originator_id), plan_key=event.plan_key, tavolo=event.tavolo, kind=event.kind,
            objective_id=event.objective_id, macro_area=event.macro_area, base_version=event.base_version,
            fields=list(event.changes), content_position=position, rationale=event.rationale,
            author=event.author, organisation=event.organisation, status="open", decision=None, revisions=0,
            created_at=event.timestamp, created_position=position, updated_at=event.timestamp,
            updated_position=position))

    @handles(Proposal.Revised)
    def _revised(self, session: Session, event, position: int) -> None:
        row = self._row(session, event, position)
        row.update(base_version=event.base_version, fields=list(event.changes), content_position=position,
                   rationale=event.rationale, status="open", revisions=row["revisions"] + 1)

    @handles(Proposal.Withdrawn)
    def _withdrawn(self, session: Session, event, position: int) -> None:
        self._row(session, event, position)["status"] = "withdrawn"

    @handles(Proposal.Decided)
    def _decided(self, session: Session, event, position: int) -> None:
        row = self._row(session, event, position)
        row["status"] = DECISIONS[event.decision]
        row["decision"] = {"decision": event.decision, "reason": event.reason, "by": event.actor,
                           "at": event.timestamp.isoformat(), "position": position}

    @handles(Proposal.Commented)
    def _commented(self, session: Session, event, position: int) -> None:
        self._row(session, event, position)
        self.comments.append(dict(id=event.comment_id, proposal_id=str(event.originator_id), position=position,
                                  at=event.timestamp, author=event.actor, organisation=event.organisation,
                                  text=event.text))

    @handles(Proposal.Supported)
    def _supported(self, session: Session, event, position: int) -> None:
        self._row(session, event, position)
        self.supports.append(dict(proposal_id=str(event.originator_id), user_id=event.actor,
                                  organisation=event.organisation, position=position, at=event.timestamp))

    @handles(Objective.Created)
    def _objective_created(self, session: Session, event, position: int) -> None:
        if event.proposal_id:  # a new objective born from this proposal
            row = self.proposals.get(session, event.proposal_id)
            row["objective_id"] = str(event.originator_id)
            self.proposals.touch(row)
