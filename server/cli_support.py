"""What every `coprogramma` command needs: a runtime with logging set up, how to report a refusal, and
where to write a file."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

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


class EmptyFolder(click.Path):
    """A folder to write a set of files into (--output): new or empty, in a folder that exists."""

    def __init__(self):
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        path = _in_existing_folder(self, super().convert(value, param, ctx), param, ctx)
        if path.is_dir() and any(path.iterdir()):
            self.fail(f"la cartella «{path}» non è vuota.", param, ctx)
        return path


class OutputFile(click.Path):
    """A file to write (-o): its folder must exist, said before any work rather than as a traceback after."""

    def __init__(self):
        super().__init__(dir_okay=False, writable=True, path_type=Path)

    def convert(self, value, param, ctx):
        return _in_existing_folder(self, super().convert(value, param, ctx), param, ctx)


def _in_existing_folder(param_type: click.ParamType, path: Path, param, ctx) -> Path:
    """Refused before any work, rather than as a traceback after it."""
    if not path.parent.is_dir():
        param_type.fail(f"la cartella «{path.parent}» non esiste.", param, ctx)
    return path

