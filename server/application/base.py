"""Shared plumbing of the application: saving with conflict detection, loading, permissions."""
from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, OriginatorVersionError
from eventsourcing.persistence import IntegrityError, MapperDeserialisationError

from server.application.transcoder import FastJSONTranscoder
from server.events.account import Account
from server.events.errors import Conflict, Forbidden, NotFound

# The operator at the server's console (CLI): acts with the Ufficio di Piano's powers.
SYSTEM = "system"

A = TypeVar("A", bound=Aggregate)
ATTEMPTS = 10  # a burst of people commenting at once on one proposal: each attempt, one of them wins


class Overtaken(Conflict):
    """Another command saved the same aggregate first (optimistic concurrency): nothing was recorded."""


def commutes(command: Callable) -> Callable:
    """For a command whose effect does not depend on what a concurrent command on the same aggregate
    did (a comment, a support, an attendance, a contribution): when the other one saved first, load
    again and run it again, rules and all, instead of telling people in a live session to reload.
    Decisions and edits are never retried: their author decided on what they saw."""

    @functools.wraps(command)
    def run(self, *args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return command(self, *args, **kwargs)
            except Overtaken:
                if attempt == ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, 0.004 * attempt))  # spread the retries of a burst

    return run


class CoprogrammaBase(Application[UUID]):
    name = "Coprogramma"  # also the PostgreSQL table prefix: coprogramma_events
    env = {"AGGREGATE_CACHE_MAXSIZE": "2000"}

    def __init__(self, env: dict | None = None) -> None:
        super().__init__(env)
        self.on_saved: list[Callable[[int], None]] = []
        self.before_save: list[Callable[[], None]] = []  # checks that may refuse a command before it is recorded

    def construct_transcoder(self) -> FastJSONTranscoder:
        transcoder = FastJSONTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def _notify(self, recordings) -> None:
        # Wakes the projector in this process; other processes poll.
        if recordings:
            for callback in self.on_saved:
                callback(recordings[-1].notification.id)

    def _save(self, *aggregates: Aggregate) -> int:
        for check in self.before_save:
            check()
        try:
            recordings = self.save(*aggregates)
        except IntegrityError as error:
            raise Overtaken(
                "Qualcun altro ha modificato gli stessi dati nel frattempo: ricaricare e riprovare"
            ) from error
        if not recordings:
            raise AssertionError("a command must record at least one event")
        return recordings[-1].notification.id

    def _load(self, cls: type[A], aggregate_id: UUID, message: str, details: dict | None = None) -> A:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(message, details) from None
        except (OriginatorVersionError, AssertionError) as error:
            # Its stored events no longer follow each other (one deleted from the store): an altered
            # log, said like an event that no longer decodes (409 `tampered`), never a 500.
            raise MapperDeserialisationError(f"the stored events of {aggregate_id} are missing or out of order: "
                                             f"{type(error).__name__} {error}") from error
        if not isinstance(aggregate, cls):
            raise NotFound(message, details)
        return aggregate

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def account(self, user_id: str) -> Account:
        try:
            uid = UUID(str(user_id))
        except ValueError:
            raise NotFound("Utente sconosciuto", {"user_id": str(user_id)}) from None
        return self._load(Account, uid, "Utente sconosciuto", {"user_id": str(user_id)})

    def is_admin(self, actor: str) -> bool:
        if actor == SYSTEM:
            return True
        try:
            account = self.account(actor)
        except NotFound:
            return False
        return account.active and account.is_admin

    def require_admin(self, actor: str) -> None:
        if not self.is_admin(actor):
            raise Forbidden("Operazione riservata all'Ufficio di Piano (amministratori)")
