"""`coprogramma audit ...`: everything an auditor can do through the API, from the console.

Every command answers JSON on standard output (or into --output; `history` JSON Lines or CSV);
sentences for people (a verification's outcome, warnings, errors) go to standard error. Status 0:
done; 1: the log does not verify; 2: the request was wrong.
"""
from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

import click
from eventsourcing.persistence import MapperDeserialisationError

from server.audit.verify import UNREADABLE, Tampered
from server.cli_support import EmptyFolder, OutputFile, fail, open_runtime
from server.events.errors import DomainError
from server.jsonutil import dumps


def _runtime():
    runtime = open_runtime()
    runtime.wait_for(runtime.event_position())  # read models (and the chain) up to date
    return runtime


def _echo(document, output: Path | None = None) -> None:
    text = dumps(document, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _moment(value: str | None) -> dict:
    """A position (digits) or an ISO 8601 time with offset, as `at` / `as_of`."""
    if value is None:
        return {}
    if value.isdigit():
        return {"at": int(value)}
    try:
        return {"as_of": datetime.fromisoformat(value)}
    except ValueError:
        raise click.BadParameter(f"«{value}» non è né una posizione né un istante ISO 8601") from None


def _known_plan(session, plan: str) -> None:
    """404 «Piano sconosciuto» for a plan that never existed, as the API answers (not «non esisteva ancora»)."""
    from server.queries.plans import get_plan_row

    get_plan_row(session, plan)


def _run(work):
    runtime = _runtime()
    try:
        with runtime.sessions() as session:
            return work(runtime, session)
    except Tampered as error:
        click.echo(f"Errore: {error.message}. {' '.join(error.details.values())}", err=True)
        sys.exit(1)
    except MapperDeserialisationError:
        click.echo(f"Errore: {UNREADABLE}", err=True)
        sys.exit(1)
    except DomainError as error:
        fail(error)
    finally:
        runtime.close()


def _read(work):
    """Runs a read of the plan's past after verifying the log: on an altered log the answer is still
    given when it can be computed (it is what the store now says), with a warning on stderr, and the
    status is 1; when it needs an event that no longer decodes, that is said on stderr instead."""
    from server.audit.verify import verify

    def verified(runtime, session):
        report = verify(runtime)
        try:
            return report, work(runtime, session)
        except DomainError:
            raise
        except MapperDeserialisationError:
            if report["ok"]:
                raise
            return report, None  # this answer needs an event that no longer decodes

    report, document = _run(verified)
    if document is None:
        click.echo(f"Errore: {UNREADABLE}", err=True)
    else:
        _echo(document)
    _exit_if_altered(report)


def _exit_if_altered(report: dict) -> None:
    if not report["ok"]:
        click.echo(f"Attenzione: il registro degli eventi non supera la verifica (prima posizione alterata: "
                   f"{report['first_bad_position']}); questa risposta è calcolata dagli eventi come sono ora.",
                   err=True)
        sys.exit(1)


@click.group()
def audit() -> None:
    """Revisione: il piano in ogni momento, confronti, provenienza, verifica della catena."""


@audit.command("verify")
@click.option("--at", type=click.IntRange(min=0), default=None,
              help="Posizione di una testa pubblicata in precedenza (con --head).")
@click.option("--head", default=None, help="La testa pubblicata a quella posizione: deve essere quella ricalcolata.")
def verify_command(at: int | None, head: str | None) -> None:
    """Ricalcola la catena di hash dal registro degli eventi e la confronta con quella salvata.

    Con --at e --head controlla anche una testa pubblicata altrove (un pacchetto, un'istantanea, un
    verbale): scopre un registro riscritto insieme alla sua catena, o ricostruito da eventi alterati."""
    from server.audit.verify import summary, verify

    if (at is None) != (head is None):
        raise click.UsageError("Indicare insieme --at e --head.")
    published = (at, head) if at is not None else None
    report = _run(lambda runtime, _session: verify(runtime, published=published))
    _echo(report)
    click.echo(summary(report), err=True)
    sys.exit(0 if report["ok"] else 1)


@audit.command("export")
@click.option("--output", "-o", required=True, type=EmptyFolder())
def export_command(output: Path) -> None:
    """Scrive il pacchetto di revisione (eventi, catena, stato dei piani, manifesto) in una cartella vuota.

    Verifica prima il registro: se è stato alterato il pacchetto viene scritto comunque (serve all'analisi),
    con un avviso, e il comando termina con stato 1."""
    from server.audit.bundle import export_bundle
    from server.audit.verify import verify

    def work(runtime, _session):
        report = verify(runtime)
        return report, export_bundle(runtime, output, first_bad=report["first_bad_position"])

    report, manifest = _run(work)
    click.echo(f"{manifest['events']} eventi esportati in {output}; testa della catena {manifest['head']}.")
    if not report["ok"]:
        click.echo(f"Attenzione: il registro degli eventi non supera la verifica (prima posizione alterata: "
                   f"{report['first_bad_position']}). Il pacchetto è stato scritto comunque, per l'analisi, ma non "
                   f"certifica nulla: la sua testa è quella della catena salvata, non quella ricalcolata "
                   f"({report['head']}).", err=True)
        for name, reason in manifest.get("not_written", {}).items():
            click.echo(f"  {name} non scritto: {reason}", err=True)
        sys.exit(1)


@audit.command("verify-bundle")
@click.argument("folder", metavar="CARTELLA", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify_bundle_command(folder: Path) -> None:
    """Verifica un pacchetto di revisione: i controlli di verify_bundle.py, poi il contenuto di plans/ e
    snapshots/ ricalcolato dagli eventi del pacchetto (in un'istanza temporanea, senza server né database)."""
    import json

    from server.audit.recompute import verify_bundle_with_states

    try:
        report = verify_bundle_with_states(folder)
    except (OSError, ValueError, KeyError, TypeError) as error:
        click.echo(json.dumps({"ok": False, "error": f"pacchetto illeggibile: {error}"}, ensure_ascii=False))
        sys.exit(2)
    _echo(report)
    sys.exit(0 if report["ok"] else 1)


@audit.command("snapshot")
@click.argument("plan")
@click.option("--approved", is_flag=True, help="Il piano come approvato (predefinito se non si indica --at).")
@click.option("--approval", type=int, default=None, help="Quale atto di approvazione (1 = il primo; predefinito: l'ultimo).")
@click.option("--at", "moment", default=None, help="Posizione o istante ISO 8601, invece dell'approvazione.")
@click.option("--output", "-o", type=OutputFile(), default=None)
def snapshot_command(plan: str, approved: bool, approval: int | None, moment: str | None, output: Path | None) -> None:
    """Istantanea certificata: il piano (come approvato) con l'anello della catena di quella posizione."""
    from server.audit.snapshot import certify
    from server.replay.state import resolve

    if approved and moment:
        raise click.UsageError("Usare --approved oppure --at, non entrambi.")
    when = _moment(moment)

    def work(runtime, session):
        _known_plan(session, plan)
        position = resolve(runtime, session, **when) if when else None
        return certify(runtime, session, plan, position=position, approval=approval)

    _echo(_run(work), output)


@audit.command("state")
@click.argument("plan")
@click.option("--at", "moment", default=None, help="Posizione o istante ISO 8601 (predefinito: ora).")
def state_command(plan: str, moment: str | None) -> None:
    """Il piano com'era in un momento, con tutti i campi degli obiettivi."""
    from server.replay.shape import plan_state
    from server.replay.state import require_state, resolve

    def work(runtime, session):
        _known_plan(session, plan)
        position = resolve(runtime, session, **_moment(moment))
        return {**plan_state(require_state(runtime, session, plan, position)), "position": position}

    _read(work)


@audit.command("diff")
@click.argument("plan")
@click.option("--from", "start", required=True, help="Posizione o istante ISO 8601.")
@click.option("--to", "end", default=None, help="Posizione o istante ISO 8601 (predefinito: ora).")
def diff_command(plan: str, start: str, end: str | None) -> None:
    """Che cosa è cambiato nel piano tra due momenti."""
    from server.replay.compare import plan_diff

    _read(lambda runtime, session: plan_diff(runtime, session, plan, _moment(start), _moment(end)))


@audit.command("provenance")
@click.argument("plan")
@click.argument("ref")
@click.option("--at", "moment", default=None, help="Posizione o istante ISO 8601 (predefinito: ora).")
def provenance_command(plan: str, ref: str, moment: str | None) -> None:
    """Per ogni campo dell'obiettivo: chi l'ha proposto, chi l'ha deciso, quando, e i valori precedenti."""
    from server.replay.compare import objective_provenance

    _read(lambda runtime, session: objective_provenance(runtime, session, plan, ref, _moment(moment)))


@audit.command("history")
@click.argument("plan")
@click.option("--objective", default=None, help="Riferimento (attuale o precedente) o id dell'obiettivo.")
@click.option("--tavolo", default=None, help="Chiave del tavolo.")
@click.option("--actor", default=None, help="Id dell'account che ha agito.")
@click.option("--since", default=None, help="Dall'istante ISO 8601 (con fuso orario).")
@click.option("--until", default=None, help="All'istante ISO 8601 (con fuso orario).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=OutputFile(), default=None)
def history_command(plan: str, objective, tavolo, actor, since, until, fmt: str, output: Path | None) -> None:
    """Gli eventi del piano, dal più vecchio: chi, quando, dove, che cosa (come GET /history, tutti)."""
    from server.audit.verify import verify
    from server.directory import Principal
    from server.queries.history import all_pages, check_filters, csv_chunks, head, jsonl_chunks

    filters = {"objective": objective, "tavolo": tavolo, "actor": actor,
               "since": _instant(since, "--since"), "until": _instant(until, "--until")}
    console = Principal(id="console", name=None, email=None, organisation=None, global_roles=("auditor",), tavoli={})

    def work(runtime, session):
        _known_plan(session, plan)
        check_filters(session, plan, **filters)
        report = verify(runtime)
        chunks = (jsonl_chunks if fmt == "jsonl" else csv_chunks)(
            all_pages(runtime, plan, console, filters, head(session)))
        with (output.open("w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout)) as out:
            for chunk in chunks:
                out.write(chunk)
        return report

    _exit_if_altered(_run(work))


def _instant(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise click.BadParameter(f"«{value}» non è un istante ISO 8601 con fuso orario "
                                 "(es. 2025-03-14T18:00:00+01:00).", param_hint=option)
    return moment
