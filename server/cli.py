"""The `coprogramma` command: serve, project, rebuild, manage people, load the demo."""
from __future__ import annotations

import errno
import hashlib
import os
import socket
import sys
from pathlib import Path

if os.environ.get("COPROGRAMMA_ASYNC_MODE", "").strip().lower() == "gevent" and sys.argv[1:2] == ["serve"]:
    # gevent must patch the standard library before anything else imports it (never eventlet)
    from gevent import monkey

    monkey.patch_all()

import click

from server import cli_italian
from server.application import SYSTEM
from server.cli_support import OutputFile, fail, open_runtime
from server.config import Settings
from server.events.account import GLOBAL_ROLES
from server.events.errors import DomainError
from server.events.organisation import KINDS

cli_italian.install()  # before the commands are made: their help options take their text then


@click.group()
def main() -> None:
    """Coprogramma: co-programmazione dei Piani di Zona."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Indirizzo su cui ascoltare.")
@click.option("--port", type=int, default=None, help="Porta (predefinita: COPROGRAMMA_PORT o 5000).")
@click.option("--no-projector", is_flag=True, help="Le proiezioni sono applicate da un processo `coprogramma projector`.")
def serve(host: str, port: int | None, no_projector: bool) -> None:
    """Avvia il server web (con il proiettore, salvo --no-projector)."""
    import logging

    import flask.cli

    from server.factory import create_app

    settings = Settings.from_env()
    port = port or settings.port
    if problem := _cannot_listen(host, port):
        click.echo(f"Errore: impossibile ascoltare su {host}:{port} ({problem}); indicare un'altra porta con --port "
                   f"o COPROGRAMMA_PORT.", err=True)
        sys.exit(1)
    if settings.log_level != "DEBUG":  # Werkzeug's and Flask's English start-up banner: ours says it
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        flask.cli.show_server_banner = lambda *_args: None
    app = create_app(settings, project_inline=not no_projector)
    socketio = app.extensions["socketio"]
    if no_projector and not settings.message_queue:
        click.echo("Attenzione: senza COPROGRAMMA_MESSAGE_QUEUE gli aggiornamenti in tempo reale del processo "
                   "`coprogramma projector` non raggiungono questo server.", err=True)
    click.echo(f"Coprogramma in ascolto su http://{host}:{port}/ (Socket.IO: {socketio.async_mode})")
    # Werkzeug with simple-websocket in threading mode (one thread per socket), gevent's WSGI
    # server in gevent mode. Behind nginx for production: see README "Live updates and deployment".
    socketio.run(app, host=host, port=port, use_reloader=False, allow_unsafe_werkzeug=True)


def _stop(runtime, message: str) -> None:
    runtime.close()
    click.echo(message, err=True)
    sys.exit(1)


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen there (a port in use), checked before anything starts."""
    try:
        family, kind, _proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Werkzeug does
            probe.bind(address)
    except OSError as error:
        return "porta già in uso" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
    return None


@main.command()
def projector() -> None:
    """Applica gli eventi alle proiezioni in un processo dedicato (deployment PostgreSQL)."""
    runtime = open_runtime()
    runtime.projector.poll_seconds = 0.1  # the web processes wait for it on every write
    if runtime.settings.message_queue:
        from server.realtime import write_only_socketio
        from server.realtime.push import Pusher

        emitter = write_only_socketio(runtime.settings.message_queue)
        runtime.projector.listeners.append(Pusher(runtime, emitter.emit))
    else:
        click.echo("Attenzione: senza COPROGRAMMA_MESSAGE_QUEUE gli eventi non sono inviati in tempo reale "
                   "ai server web.", err=True)
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
@click.option("--force", is_flag=True,
              help="Ricostruisce anche se il registro non supera la verifica della catena: la catena salvata, che "
                   "prova l'alterazione, viene allora ricalcolata dagli eventi alterati.")
def projections_rebuild(force: bool) -> None:
    """Cancella e ricostruisce tutti i modelli di lettura dalla posizione 0.

    Verifica prima il registro: se è stato alterato si ferma, perché ricostruire la catena dagli eventi
    alterati cancellerebbe la prova (esportare prima il pacchetto di revisione, poi usare --force)."""
    from server.audit.verify import first_unreadable, verify

    runtime = open_runtime()
    runtime.wait_for(runtime.event_position())
    report = verify(runtime)
    if not report["ok"]:
        click.echo(f"Il registro degli eventi non supera la verifica (prima posizione alterata: "
                   f"{report['first_bad_position']}); testa della catena salvata prima della ricostruzione: "
                   f"{report['stored_head']}.", err=True)
        unreadable = first_unreadable(runtime, report["first_bad_position"])
        if unreadable is not None:
            _stop(runtime, f"Ricostruzione annullata: l'evento alla posizione {unreadable} non è più leggibile o "
                           f"manca dal registro, la "
                           f"ricostruzione si fermerebbe lì lasciando vuoti i modelli di lettura (anche gli account). "
                           f"Ripristinare il registro da una copia di sicurezza.")
        if not force:
            _stop(runtime, "Ricostruzione annullata: cancellerebbe la prova. Esportare il pacchetto di revisione "
                           "(coprogramma audit export), poi ripetere con --force.")
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

    runtime = open_runtime()
    try:
        user_id, _ = Directory(runtime).create_user(email, name, password, SYSTEM, organisation=organisation, role=role)
    except DomainError as error:
        fail(error)
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
    runtime = open_runtime()
    try:
        runtime.wait_for_write(runtime.app.register_organisation(key, name, kind, SYSTEM))
    except DomainError as error:
        fail(error)
    click.echo(key)
    runtime.close()


def _actor(runtime, email: str | None) -> str:
    """The account an operation is attributed to (`--as`), or the console operator."""
    if email is None:
        return SYSTEM
    from server.directory import Directory

    user_id = Directory(runtime).user_id_for_email(email)
    if user_id is None:
        click.echo(f"Errore: nessun utente con e-mail {email}", err=True)
        sys.exit(2)
    return user_id


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_email", default=None, help="E-mail dell'amministratore a cui attribuire l'importazione.")
def import_command(file: Path, as_email: str | None) -> None:
    """Importa un piano in formato coprogramma/plan@1 (tutto o niente)."""
    from server.planformat import PlanFormatError, load_document

    runtime = open_runtime()
    raw = file.read_bytes()
    try:
        document = load_document(raw)
        position = runtime.app.import_plan(document, file.name, hashlib.sha256(raw).hexdigest(),
                                           _actor(runtime, as_email))
        runtime.wait_for_write(position)
    except PlanFormatError as error:
        count = len(error.problems)
        click.echo(f"Errore: documento non valido, nulla è stato importato ({count} "
                   f"{'problema' if count == 1 else 'problemi'}):", err=True)
        for problem in error.problems:
            click.echo(f"  {problem['path']}: {problem['message']}", err=True)
        sys.exit(2)
    except DomainError as error:
        fail(error)
    click.echo(f"Piano {document.plan['key']} importato (posizione {position}).")
    runtime.close()


@main.command("export")
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--output", "-o", type=OutputFile(), default=None,
              help="File di destinazione (predefinito: standard output).")
def export_command(plan: str, fmt: str, output: Path | None) -> None:
    """Esporta un piano in formato coprogramma/plan@1."""
    from server.planexport import export_plan
    from server.planformat import dumps

    runtime = open_runtime()
    try:
        with runtime.sessions() as session:
            text = dumps(export_plan(session, plan))
    except DomainError as error:
        fail(error)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    runtime.close()


@main.command()
def demo() -> None:
    """Carica i piani dimostrativi e gli utenti demo (una sola volta)."""
    from server.demo import load_demo

    runtime = open_runtime()
    try:
        logins = load_demo(runtime)
    except DomainError as error:
        fail(error)
    if logins is None:
        click.echo("I dati dimostrativi sono già caricati.")
    else:
        click.echo("Dati dimostrativi caricati.")
    from server.demo import print_logins

    print_logins(click.echo)
    runtime.close()


from server.audit.cli import audit  # noqa: E402  (the `audit` group lives with the audit code)

main.add_command(audit)


if __name__ == "__main__":
    main()
