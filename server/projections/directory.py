"""Accounts (without personal data) and organisations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base
from server.events.account import Account
from server.events.organisation import Organisation
from server.projections.base import Projection, handles


class UserRow(Base):
    __tablename__ = "rm_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation: Mapped[str | None] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean)
    roles: Mapped[list]
    registered_at: Mapped[datetime]
    registered_position: Mapped[int] = mapped_column(Integer)


class OrganisationRow(Base):
    __tablename__ = "rm_organisations"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))


class DirectoryProjection(Projection):
    name = "directory"
    tables = (UserRow, OrganisationRow)

    @handles(Account.Registered)
    def _registered(self, session: Session, event, position: int) -> None:
        session.add(UserRow(id=str(event.originator_id), organisation=event.organisation,
                            active=not event.invited, roles=[], registered_at=event.timestamp,
                            registered_position=position))

    @handles(Account.RoleGranted)
    def _role_granted(self, session: Session, event, position: int) -> None:
        user = session.get(UserRow, str(event.originator_id))
        user.roles = sorted({*user.roles, event.role})

    @handles(Account.RoleRevoked)
    def _role_revoked(self, session: Session, event, position: int) -> None:
        user = session.get(UserRow, str(event.originator_id))
        user.roles = [role for role in user.roles if role != event.role]

    @handles(Account.Activated)
    def _activated(self, session: Session, event, position: int) -> None:
        session.get(UserRow, str(event.originator_id)).active = True

    @handles(Account.PersonalDataErased)
    def _erased(self, session: Session, event, position: int) -> None:
        session.get(UserRow, str(event.originator_id)).active = False

    @handles(Account.OrganisationChanged)
    def _organisation_changed(self, session: Session, event, position: int) -> None:
        session.get(UserRow, str(event.originator_id)).organisation = event.organisation

    @handles(Organisation.Registered)
    def _organisation_registered(self, session: Session, event, position: int) -> None:
        session.add(OrganisationRow(key=event.key, id=str(event.originator_id), name=event.name, kind=event.kind))

    @handles(Organisation.Updated)
    def _organisation_updated(self, session: Session, event, position: int) -> None:
        row = session.scalars(select(OrganisationRow).where(OrganisationRow.id == str(event.originator_id))).one()
        row.name, row.kind = event.name, event.kind
