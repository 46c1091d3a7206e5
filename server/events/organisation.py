"""Organisations taking part in co-programming: ETS, municipalities, ASST/ATS, unions..."""
from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from server.events.ids import organisation_id

KINDS = ("ets", "comune", "azienda_consortile", "asst", "ats", "provincia", "sindacato", "scuola", "diocesi", "altro")


class Organisation(Aggregate):
    class Registered(Aggregate.Created):
        key: str
        name: str
        kind: str
        actor: str

    @staticmethod
    def create_id(key: str, **_: object):
        return organisation_id(key)

    @event(Registered)
    def __init__(self, key: str, name: str, kind: str, actor: str) -> None:
        self.key, self.name, self.kind = key, name, kind

    @event("Updated")
    def update(self, name: str, kind: str, actor: str) -> None:
        self.name, self.kind = name, kind
