"""The hash chain over the whole event log (tamper evidence).

One link per stored event: link_n = SHA-256(link_{n-1} || canonical bytes of the stored event n),
as defined in server/audit/verify_bundle.py. The projection receives the stored events as
recorded (`raw = True`), never re-encoded ones, so the links are over the bytes in the store.
`coprogramma audit verify` recomputes them from the raw store and compares (server/audit/verify.py).
"""
from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.audit.verify_bundle import GENESIS, link_after
from server.db import Base
from server.projections.base import Projection
from server.projections.rows import insert_many


class ChainRow(Base):
    __tablename__ = "rm_chain"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    link: Mapped[str] = mapped_column(String(64))


def stored_link(previous: str, stored) -> str:
    """The link a stored event (as recorded) makes after `previous`."""
    return link_after(previous, stored.id, stored.originator_id, stored.originator_version, stored.topic, stored.state)


def link_at(session: Session, position: int) -> tuple[int, str]:
    """The chain's last link at or before `position`: (its position, link); (0, genesis) before the first."""
    row = session.execute(select(ChainRow.position, ChainRow.link).where(ChainRow.position <= position)
                          .order_by(ChainRow.position.desc()).limit(1)).first()
    return (row.position, row.link) if row else (0, GENESIS)


class ChainProjection(Projection):
    name = "chain"
    tables = (ChainRow,)
    raw = True

    def __init__(self):
        self._position: int | None = None
        self._link = GENESIS
        self._pending: list[dict] = []

    def wants(self, event_class: type) -> bool:
        return True  # every stored event has its link

    def begin_batch(self, session: Session, position: int, app) -> None:
        self._pending = []
        if self._position != position:
            self._position, self._link = link_at(session, position)

    def apply(self, session: Session, notification, position: int) -> None:
        self._position = None  # in flux
        link = stored_link(self._link, notification)
        self._pending.append({"position": position, "link": link})
        self._link, self._position = link, position

    def end_batch(self, session: Session, position: int) -> None:
        insert_many(session, ChainRow.__table__, self._pending)
        self._pending = []
