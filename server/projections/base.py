"""What a projection is: a name, the tables it owns, and one handler per event class."""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base


class ProjectionTracking(Base):
    """The last position each projection has applied; written in the same transaction as its rows."""

    __tablename__ = "projection_tracking"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


def handles(*event_classes: type) -> Callable:
    def mark(method: Callable) -> Callable:
        method.handled_events = event_classes  # type: ignore[attr-defined]
        return method

    return mark


class Projection:
    name: ClassVar[str]
    tables: ClassVar[tuple[type[Base], ...]]
    _handlers: ClassVar[dict[type, str]]
    raw: ClassVar[bool] = False  # apply gets the stored event as recorded instead of the domain event (the chain)
    shallow: ClassVar[bool] = False  # its handlers read only plain fields at an event's top level (`ProjectedEvents`)
    reads: ClassVar[tuple[str, ...]] = ()  # the projections whose tables it reads (applied before it, in its lane)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                for event_class in getattr(value, "handled_events", ()):
                    cls._handlers[event_class] = attribute

    def wants(self, event_class: type) -> bool:
        """Whether `apply` does anything with events of this class (the others are not even decoded
        for it). A projection that overrides `apply` says so itself."""
        return event_class in self._handlers

    def applier(self, event_class: type) -> Callable | None:
        """What the projector calls for each event of this class (None: nothing): its handler, found
        once per batch instead of once per event, or `apply` for a projection that overrides it."""
        if type(self).apply is not Projection.apply:
            return self.apply if self.wants(event_class) else None
        attribute = self._handlers.get(event_class)
        return None if attribute is None else getattr(self, attribute)

    def begin_batch(self, session: Session, position: int, app) -> None:
        """Before a batch: a projection that keeps state in memory checks it against `position`, the
        position it has committed (rows of a rolled-back batch, another projector, a rebuild)."""

    def end_batch(self, session: Session, position: int) -> None:
        """After the batch's last event (at `position`), before the commit: write what was kept in memory."""

    def apply(self, session: Session, event, position: int) -> None:
        """Apply one event; deterministic: only the event and current rows decide the outcome. Its
        originator id is read as str(event.originator_id): the projector may give it as text."""
        attribute = self._handlers.get(type(event))
        if attribute is not None:
            getattr(self, attribute)(session, event, position)
