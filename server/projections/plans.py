"""Plans, macro-areas, tavoli and who sits at each tavolo."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.plan import Plan
from server.events.tavolo import Tavolo
from server.projections.base import Projection, handles


class PlanRow(Base):
    __tablename__ = "rm_plans"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    ambito: Mapped[str] = mapped_column(String(300))
    period_from: Mapped[int] = mapped_column(Integer)
    period_to: Mapped[int] = mapped_column(Integer)
    lead_body: Mapped[str | None] = mapped_column(String(300))
    managing_agency: Mapped[str | None] = mapped_column(String(300))
    municipalities: Mapped[list]
    sub_areas: Mapped[list]
    status: Mapped[str] = mapped_column(String(32))
    approvals: Mapped[list]
    organisations: Mapped[list]  # as the plan's document names them
    leps: Mapped[list]
    evaluations: Mapped[list]
    source: Mapped[dict | None]  # file name and SHA-256 of an imported document
    created_at: Mapped[datetime]
    updated_position: Mapped[int] = mapped_column(Integer)


class MacroAreaRow(Base):
    __tablename__ = "rm_macro_areas"

    plan_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    key_points: Mapped[list]


class TavoloRow(Base):
    __tablename__ = "rm_tavoli"

    plan_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    macro_areas: Mapped[list]
    mandate: Mapped[str | None] = mapped_column(Text)
    organisations: Mapped[list]


class TavoloMemberRow(Base):
    __tablename__ = "rm_tavolo_members"

    plan_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    tavolo_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    since_position: Mapped[int] = mapped_column(Integer)


def _plan(session: Session, event) -> PlanRow:
    return session.scalars(select(PlanRow).where(PlanRow.id == str(event.originator_id))).one()


def _tavolo(session: Session, event) -> TavoloRow:
    return session.scalars(select(TavoloRow).where(TavoloRow.id == str(event.originator_id))).one()


class PlansProjection(Projection):
    name = "plans"
    tables = (PlanRow, MacroAreaRow, TavoloRow, TavoloMemberRow)

    @handles(Plan.Created)
    def _plan_created(self, session: Session, event, position: int) -> None:
        session.add(PlanRow(
            key=event.key, id=str(event.originator_id), title=event.title, ambito=event.ambito,
            period_from=event.period_from, period_to=event.period_to, lead_body=event.lead_body,
            managing_agency=event.managing_agency, municipalities=list(event.municipalities),
            sub_areas=list(event.sub_areas), status="drafting", approvals=[], organisations=[], leps=[], evaluations=[],
            source=None, created_at=event.timestamp,
            updated_position=position,
        ))

    @handles(Plan.MacroAreaAdded)
    def _macro_area_added(self, session: Session, event, position: int) -> None:
        plan = _plan(session, event)
        count = len(session.scalars(select(MacroAreaRow.code).where(MacroAreaRow.plan_key == plan.key)).all())
        session.add(MacroAreaRow(plan_key=plan.key, code=event.code, ordinal=count, name=event.name,
                                 key_points=list(event.key_points)))
        plan.updated_position = position

    @handles(Plan.StatusChanged)
    def _status_changed(self, session: Session, event, position: int) -> None:
        plan = _plan(session, event)
        plan.status, plan.updated_position = event.status, position

    @handles(Plan.Approved)
    def _approved(self, session: Session, event, position: int) -> None:
        plan = _plan(session, event)
        plan.status, plan.updated_position = "approved", position
        plan.approvals = [*plan.approvals, {"body": event.body, "act": event.act, "date": event.date,
                                            "position": position, "at": event.timestamp.isoformat()}]

    @handles(Plan.ReferenceDataSet)
    def _reference_data(self, session: Session, event, position: int) -> None:
        plan = _plan(session, event)
        plan.organisations, plan.leps = list(event.organisations), list(event.leps)
        plan.evaluations, plan.updated_position = list(event.evaluations), position

    @handles(Plan.Imported)
    def _imported(self, session: Session, event, position: int) -> None:
        plan = _plan(session, event)
        plan.source = {"file_name": event.file_name, "sha256": event.sha256, "format": event.format,
                       "by": event.actor, "at": event.timestamp.isoformat(), "position": position}

    @handles(Plan.PeriodExtended)
    def _period_extended(self, session: Session, event, position: int) -> None:
        plan = _plan(session, event)
        plan.period_to, plan.updated_position = event.period_to, position

    @handles(Tavolo.Created)
    def _tavolo_created(self, session: Session, event, position: int) -> None:
        count = len(session.scalars(select(TavoloRow.key).where(TavoloRow.plan_key == event.plan_key)).all())
        session.add(TavoloRow(plan_key=event.plan_key, key=event.key, id=str(event.originator_id),
                              ordinal=count, name=event.name, macro_areas=list(event.macro_areas),
                              mandate=event.mandate, organisations=list(event.organisations)))

    @handles(Tavolo.MemberAdded, Tavolo.MemberRoleChanged)
    def _member_set(self, session: Session, event, position: int) -> None:
        tavolo = _tavolo(session, event)
        row = session.get(TavoloMemberRow, (tavolo.plan_key, tavolo.key, event.user_id))
        if row is None:
            session.add(TavoloMemberRow(plan_key=tavolo.plan_key, tavolo_key=tavolo.key,
                                        user_id=event.user_id, role=event.role, since_position=position))
        else:
            row.role, row.since_position = event.role, position

    @handles(Tavolo.MemberRemoved)
    def _member_removed(self, session: Session, event, position: int) -> None:
        tavolo = _tavolo(session, event)
        session.delete(session.get(TavoloMemberRow, (tavolo.plan_key, tavolo.key, event.user_id)))
