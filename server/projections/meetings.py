"""Sessions of the tavoli: convocation and agenda, attendance sheet, contributions, minutes.

server/queries/meetings.py shapes these rows as the API answers them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.meeting import Meeting
from server.projections.base import Projection, handles


class MeetingRow(Base):
    __tablename__ = "rm_meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(64), index=True)
    tavolo: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[str] = mapped_column(String(64))  # as convened, with its offset
    starts_at_utc: Mapped[datetime]  # for ordering
    place: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    agenda: Mapped[list]  # [{"title", "objective_id"}]
    status: Mapped[str] = mapped_column(String(16))
    edited_minutes: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)  # recorded when closed
    version: Mapped[int] = mapped_column(Integer)
    convened_by: Mapped[str] = mapped_column(String(36))
    convened_at: Mapped[datetime]
    convened_position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    updated_position: Mapped[int] = mapped_column(Integer)
    closed_by: Mapped[str | None] = mapped_column(String(36))
    closed_at: Mapped[datetime | None]
    closed_position: Mapped[int | None] = mapped_column(Integer)


class AttendanceRow(Base):
    __tablename__ = "rm_meeting_attendance"

    meeting_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean)
    people: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime]
    position: Mapped[int] = mapped_column(Integer)


class ContributionRow(Base):
    __tablename__ = "rm_meeting_contributions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(36), index=True)
    quadrant: Mapped[str] = mapped_column(String(32))
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    objective_ids: Mapped[list]
    proposal_ids: Mapped[list]
    author: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime]
    position: Mapped[int] = mapped_column(Integer)
    linked_position: Mapped[int | None] = mapped_column(Integer)


class MeetingsProjection(Projection):
    name = "meetings"
    tables = (MeetingRow, AttendanceRow, ContributionRow)

    def _row(self, session: Session, event, position: int) -> MeetingRow:
        row = session.get(MeetingRow, str(event.originator_id))
        row.version, row.updated_at, row.updated_position = event.originator_version, event.timestamp, position
        return row

    @handles(Meeting.Convened)
    def _convened(self, session: Session, event, position: int) -> None:
        session.add(MeetingRow(
            id=str(event.originator_id), plan_key=event.plan_key, tavolo=event.tavolo, title=event.title,
            starts_at=event.starts_at, starts_at_utc=_ordering_time(event.starts_at), place=event.place,
            link=event.link, agenda=[dict(item) for item in event.agenda], status="open", edited_minutes=None,
            minutes=None, version=event.originator_version, convened_by=event.actor, convened_at=event.timestamp,
            convened_position=position, updated_at=event.timestamp, updated_position=position, closed_by=None,
            closed_at=None, closed_position=None))

    @handles(Meeting.AgendaChanged)
    def _agenda_changed(self, session: Session, event, position: int) -> None:
        self._row(session, event, position).agenda = [dict(item) for item in event.agenda]

    @handles(Meeting.AttendanceRecorded)
    def _attendance(self, session: Session, event, position: int) -> None:
        meeting_id = str(self._row(session, event, position).id)
        row = session.get(AttendanceRow, (meeting_id, event.organisation))
        if row is None:
            row = AttendanceRow(meeting_id=meeting_id, organisation=event.organisation)
            session.add(row)
        row.present, row.people, row.recorded_by = event.present, event.people, event.actor
        row.at, row.position = event.timestamp, position

    @handles(Meeting.ContributionAdded)
    def _contribution(self, session: Session, event, position: int) -> None:
        self._row(session, event, position)
        session.add(ContributionRow(
            id=event.contribution_id, meeting_id=str(event.originator_id), quadrant=event.quadrant,
            organisation=event.organisation, text=event.text, objective_ids=list(event.objective_ids),
            proposal_ids=list(event.proposal_ids), author=event.actor, at=event.timestamp, position=position,
            linked_position=None))

    @handles(Meeting.ContributionLinked)
    def _linked(self, session: Session, event, position: int) -> None:
        self._row(session, event, position)
        row = session.get(ContributionRow, event.contribution_id)
        row.objective_ids = [*row.objective_ids, *event.objective_ids]
        row.proposal_ids = [*row.proposal_ids, *event.proposal_ids]
        row.linked_position = position

    @handles(Meeting.MinutesEdited)
    def _minutes_edited(self, session: Session, event, position: int) -> None:
        self._row(session, event, position).edited_minutes = event.text

    @handles(Meeting.Closed)
    def _closed(self, session: Session, event, position: int) -> None:
        row = self._row(session, event, position)
        row.status, row.minutes = "closed", event.minutes
        row.closed_by, row.closed_at, row.closed_position = event.actor, event.timestamp, position


def _ordering_time(starts_at: str) -> datetime:
    """The session's time in UTC, for ordering. Sessions convened before years were checked may hold
    a moment UTC cannot (9999-12-31T23:00-12:00): clamped, never a projector that stops on it."""
    moment = datetime.fromisoformat(starts_at)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=timezone.utc)
