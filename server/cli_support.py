"""What every `coprogramma` command needs: a runtime with logging set up, and how to report a refusal."""
from __future__ import annotations

import logging
import sys

import click

from server.config import Settings
from server.events.errors import DomainError


def open_runtime():
    from server.runtime import Runtime

    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Runtime(settings)


def fail(error: DomainError) -> None:
    """The application's Italian message and its details on stderr; exit status 2."""
    details = "".join(f"\n  {field}: {problem}" for field, problem in error.details.items())
    click.echo(f"Errore: {error.message}{details}", err=True)
    sys.exit(2)
