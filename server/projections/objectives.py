"""The current text and status of every objective (the plan's cards)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.objective import Objective
from server.events.plan import Plan
from server.projections.base import Projection, handles
from server.projections.rows import BatchRows


class ObjectiveRow(Base):
    __tablename__ = "rm_objectives"
    __table_args__ = (UniqueConstraint("plan_key", "ref"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(64), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    ordinal: Mapped[int] = mapped_column(Integer)
    macro_area: Mapped[str] = mapped_column(String(32))
    tavolo: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict]
    created_position: Mapped[int] = mapped_column(Integer)
    updated_position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class ObjectivesProjection(Projection):
    """Rows live in memory for the batch (server/projections/rows.py): a card changed fifty times
    in a batch is encoded and written once."""

    name = "objectives"
    tables = (ObjectiveRow,)

    def __init__(self):
        self.rows = BatchRows(ObjectiveRow, keep=True)  # every batch reads the cards it changes
        self._counts: dict[str, int] = {}  # objectives per plan, for the next ordinal

    def begin_batch(self, session: Session, position: int, app) -> None:
        self.rows.begin(position)
        self._counts = {}

    def end_batch(self, session: Session, position: int) -> None:
        self.rows.write(session, position)

    def _row(self, session: Session, event, position: int) -> dict:
        row = self.rows.get(session, str(event.originator_id))
        row["version"], row["updated_position"], row["updated_at"] = event.originator_version, position, event.timestamp
        self.rows.touch(row)
        return row

    def _ordinal(self, session: Session, plan_key: str) -> int:
        if plan_key not in self._counts:
            self._counts[plan_key] = session.scalar(
                select(func.count()).select_from(ObjectiveRow).where(ObjectiveRow.plan_key == plan_key))
        ordinal = self._counts[plan_key]
        self._counts[plan_key] += 1
        return ordinal

    @handles(Objective.Created)
    def _created(self, session: Session, event, position: int) -> None:
        self.rows.add(dict(
            id=str(event.originator_id), plan_key=event.plan_key, ref=event.ref,
            ordinal=self._ordinal(session, event.plan_key), macro_area=event.macro_area, tavolo=event.tavolo,
            status="draft", version=event.originator_version, fields=dict(event.fields), created_position=position,
            updated_position=position, updated_at=event.timestamp))

    @handles(Objective.FieldsChanged)
    def _fields_changed(self, session: Session, event, position: int) -> None:
        row = self._row(session, event, position)
        fields = dict(row["fields"])
        for name, value in event.changes.items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
        row["fields"] = fields

    @handles(Objective.StatusChanged)
    def _status_changed(self, session: Session, event, position: int) -> None:
        self._row(session, event, position)["status"] = event.status

    @handles(Plan.ObjectiveRenamed)
    def _renamed(self, session: Session, event, position: int) -> None:
        row = self.rows.get(session, event.objective_id)
        row["ref"], row["updated_position"], row["updated_at"] = event.new_ref, position, event.timestamp
        self.rows.touch(row)
