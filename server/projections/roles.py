"""Who could do what, when: every grant and revocation of a role, global or per tavolo.

Reads `rm_tavoli` of the plans projection, which is applied before this one in the same
transaction (see server/projections/__init__.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.account import Account
from server.events.tavolo import Tavolo
from server.projections.base import Projection, handles
from server.projections.plans import TavoloRow


class RoleChangeRow(Base):
    __tablename__ = "rm_role_changes"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    role: Mapped[str] = mapped_column(String(16))
    change: Mapped[str] = mapped_column(String(8))  # granted | revoked
    plan_key: Mapped[str | None] = mapped_column(String(64))
    tavolo_key: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(36))


class RoleHistoryProjection(Projection):
    name = "role_history"
    tables = (RoleChangeRow,)
    reads = ("plans",)

    def _record(self, session, event, position, user_id, role, change, tavolo=None):
        session.add(RoleChangeRow(
            position=position, at=event.timestamp, user_id=user_id, role=role, change=change,
            plan_key=tavolo.plan_key if tavolo else None, tavolo_key=tavolo.key if tavolo else None,
            actor=event.actor,
        ))

    @handles(Account.RoleGranted)
    def _granted(self, session: Session, event, position: int) -> None:
        self._record(session, event, position, str(event.originator_id), event.role, "granted")

    @handles(Account.RoleRevoked)
    def _revoked(self, session: Session, event, position: int) -> None:
        self._record(session, event, position, str(event.originator_id), event.role, "revoked")

    @handles(Tavolo.MemberAdded, Tavolo.MemberRoleChanged)
    def _seated(self, session: Session, event, position: int) -> None:
        tavolo = session.scalars(select(TavoloRow).where(TavoloRow.id == str(event.originator_id))).one()
        self._record(session, event, position, event.user_id, event.role, "granted", tavolo)

    @handles(Tavolo.MemberRemoved)
    def _unseated(self, session: Session, event, position: int) -> None:
        tavolo = session.scalars(select(TavoloRow).where(TavoloRow.id == str(event.originator_id))).one()
        last_role = session.scalars(
            select(RoleChangeRow.role)
            .where(RoleChangeRow.user_id == event.user_id, RoleChangeRow.plan_key == tavolo.plan_key,
                   RoleChangeRow.tavolo_key == tavolo.key, RoleChangeRow.change == "granted")
            .order_by(RoleChangeRow.position.desc()).limit(1)
        ).one()
        self._record(session, event, position, event.user_id, last_role, "revoked", tavolo)
