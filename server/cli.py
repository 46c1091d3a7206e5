"""The `coprogramma` command: serve, project, rebuild, manage people, load the demo."""
from __future__ import annotations

import logging
import sys

import click

from server.application import SYSTEM
from server.config import Settings
from server.events.account import GLOBAL_ROLES
from server.events.errors import DomainError
from server.events.organisation import KINDS


def _runtime():
    from server.runtime import Runtime

    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Runtime(settings)


def _fail(error: DomainError) -> None:
    details = "".join(f"\n  {field}: {problem}" for field, problem in error.details.items())
    click.echo(f"Errore: {error.message}{details}", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """Coprogramma: co-programmazione dei Piani di Zona."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Indirizzo su cui ascoltare.")
@click.option("--port", type=int, default=None, help="Porta (predefinita: COPROGRAMMA_PORT o 5000).")
@click.option("--no-projector", is_flag=True, help="Le proiezioni sono applicate da un processo `coprogramma projector`.")
def serve(host: str, port: int | None, no_projector: bool) -> None:
    """Avvia il server web (con il proiettore, salvo --no-projector)."""
    from server.factory import create_app

    settings = Settings.from_env()
    app = create_app(settings, project_inline=not no_projector)
    port = port or settings.port
    click.echo(f"Coprogramma in ascolto su http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
def projector() -> None:
    """Applica gli eventi alle proiezioni in un processo dedicato (deployment PostgreSQL)."""
    runtime = _runtime()
    click.echo(f"Proiettore avviato alla posizione {runtime.projector.position()}")
    try:
        runtime.projector.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()


@main.group()
def projections() -> None:
    """Modelli di lettura."""


@projections.command("rebuild")
def projections_rebuild() -> None:
    """Cancella e ricostruisce tutti i modelli di lettura dalla posizione 0."""
    runtime = _runtime()
    total = runtime.event_position()
    with click.progressbar(length=total, label="Ricostruzione delle proiezioni") as bar:
        applied = runtime.projector.rebuild(progress=bar.update)
    click.echo(f"{applied} eventi applicati; posizione {runtime.projector.position()}.")
    runtime.close()


@main.group()
def users() -> None:
    """Persone e ruoli."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(GLOBAL_ROLES), default=None)
@click.option("--organisation", default=None, help="Chiave dell'organizzazione.")
def users_create(email: str, name: str, password: str, role: str | None, organisation: str | None) -> None:
    """Crea un account e stampa il suo identificativo."""
    from server.directory import Directory

    runtime = _runtime()
    try:
        user_id, _ = Directory(runtime).create_user(email, name, password, SYSTEM, organisation=organisation, role=role)
    except DomainError as error:
        _fail(error)
    click.echo(user_id)
    runtime.close()


@main.group()
def organisations() -> None:
    """Organizzazioni."""


@organisations.command("create")
@click.option("--key", required=True)
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(KINDS), required=True)
def organisations_create(key: str, name: str, kind: str) -> None:
    """Registra un'organizzazione."""
    runtime = _runtime()
    try:
        runtime.wait_for(runtime.app.register_organisation(key, name, kind, SYSTEM))
    except DomainError as error:
        _fail(error)
    click.echo(key)
    runtime.close()


@main.command()
def demo() -> None:
    """Carica i piani dimostrativi e gli utenti demo (una sola volta)."""
    from server.demo import load_demo

    runtime = _runtime()
    try:
        logins = load_demo(runtime)
    except DomainError as error:
        _fail(error)
    if logins is None:
        click.echo("I dati dimostrativi sono già caricati.")
    else:
        click.echo("Dati dimostrativi caricati.")
    from server.demo import print_logins

    print_logins(click.echo)
    runtime.close()


if __name__ == "__main__":
    main()
