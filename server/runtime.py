"""Wires one process: settings, event-sourced application, read-model database, projector."""
from __future__ import annotations

import logging

from server.application import Coprogramma
from server.config import Settings
from server.db import make_engine, make_sessionmaker, upgrade
from server.events.errors import Unavailable
from server.projections import all_projections
from server.projections.projector import Projector

log = logging.getLogger(__name__)


class ReadModelsStalled(Unavailable):
    """The read models cannot take in new events: a projector batch keeps failing (an event that no
    longer decodes, a database that refuses writes)."""

    code = "read_models_stalled"


class Runtime:
    def __init__(self, settings: Settings, project_inline: bool = True):
        settings.prepare_instance()
        self.settings = settings
        self.engine = make_engine(settings.read_model_url)
        upgrade(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        self.app = Coprogramma(env=settings.event_store_env())
        self.projector = Projector(self.app, self.sessions, all_projections(), inline=project_inline,
                                   poll_seconds=1.0 if project_inline else 0.1)
        if project_inline:
            self.app.on_saved.append(self.projector.wake)
            self.app.before_save.append(self._refuse_while_stalled)

    def event_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def wait_for(self, position: int) -> None:
        """Until the read models show `position`; a projection failure is raised as it is (for reads)."""
        if not self.projector.wait(position, timeout=15):
            log.warning("read models still behind position %s", position)

    def wait_for_write(self, position: int) -> None:
        """Read-your-writes: after a command, answer only once the read models show it. The command is
        recorded whatever happens here, so a projection failure must not look like a refusal: its
        author would do it again."""
        try:
            self.wait_for(position)
        except Exception as error:
            log.exception("recorded position %s, but the read models cannot show it", position)
            raise ReadModelsStalled(
                f"La modifica è stata registrata (posizione {position}) ma non è ancora visibile: "
                f"l'aggiornamento dei dati si è fermato per un errore. Non ripeterla; avvisare "
                f"l'amministratore.", {"position": position, **self._stalled_details()}) from error

    def _refuse_while_stalled(self) -> None:
        """Before recording a command: while the read models cannot move, refuse it (it would be recorded
        and never shown). One more attempt first, in case the failure has passed (a locked database)."""
        if self.projector.stalled is None:
            return
        try:
            self.projector.run_once()
        except Exception:
            raise ReadModelsStalled(
                "Nessuna modifica è stata registrata: l'aggiornamento dei dati è fermo per un errore. "
                "Avvisare l'amministratore (che può controllare il registro con «coprogramma audit verify»).",
                self._stalled_details()) from None

    def _stalled_details(self) -> dict:
        stalled = self.projector.stalled
        return {} if stalled is None or stalled.position is None else {"stalled_at": stalled.position}

    def close(self) -> None:
        self.projector.stop()
        self.app.close()
        self.engine.dispose()
