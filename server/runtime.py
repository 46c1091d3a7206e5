"""Wires one process: settings, event-sourced application, read-model database, projector."""
from __future__ import annotations

import logging

from server.application import Coprogramma
from server.config import Settings
from server.db import make_engine, make_sessionmaker, upgrade
from server.projections import all_projections
from server.projections.projector import Projector

log = logging.getLogger(__name__)


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

    def event_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def wait_for(self, position: int) -> None:
        """Read-your-writes: after a command, answer only once the read models show it."""
        if not self.projector.wait(position, timeout=15):
            log.warning("read models still behind position %s", position)

    def close(self) -> None:
        self.projector.stop()
        self.app.close()
        self.engine.dispose()
