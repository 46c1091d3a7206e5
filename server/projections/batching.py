"""The projector's batch session: every row a batch touches stays at hand until the commit.

Two things make a plain ORM session slow for a projector that applies thousands of events in one
transaction: its identity map holds rows weakly (a row read by one event is read again from the
database by the next), and `Session.get` does not see rows added but not yet flushed (so reading
the proposal created two events ago flushes everything pending, then queries). A batch session
keeps strong references to the rows it loads or writes (SQLAlchemy's documented recipe) and
answers `get` from its pending rows first, so a `get` that must query needs no flush before it.
Queries (select, count...) still flush first, as always. Results are the same; only the database
round trips go, and the flushes left write many rows at once.
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

INFO_KEY = "projector_batch"


class SessionRows:
    def __init__(self):
        self.kept: list = []
        self.pending: dict[tuple, object] = {}


def _key(instance) -> tuple | None:
    identity = inspect(instance).mapper.identity_key_from_instance(instance)[1]
    return None if any(part is None for part in identity) else (type(instance), identity)


def _rows(session: Session) -> SessionRows | None:
    return session.info.get(INFO_KEY)


@event.listens_for(Session, "transient_to_pending")
def _added(session: Session, instance) -> None:
    if (rows := _rows(session)) is not None and (key := _key(instance)) is not None:
        rows.pending[key] = instance


@event.listens_for(Session, "pending_to_transient")
def _discarded(session: Session, instance) -> None:
    if (rows := _rows(session)) is not None:
        rows.pending.pop(_key(instance), None)


@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "loaded_as_persistent")
def _kept(session: Session, instance) -> None:
    if (rows := _rows(session)) is not None:
        rows.kept.append(instance)
        rows.pending.pop(_key(instance), None)


def batch_session(session: Session) -> Session:
    """Turns `session` (a projector batch's) into a batch session."""
    rows = session.info[INFO_KEY] = SessionRows()
    plain_get = session.get

    def get(entity, ident, **options):
        if options:
            return plain_get(entity, ident, **options)
        found = rows.pending.get((entity, ident if isinstance(ident, tuple) else (ident,)))
        if found is not None:
            return found
        with session.no_autoflush:  # pending rows were just looked at: nothing a flush could add
            return plain_get(entity, ident)

    session.get = get
    return session
