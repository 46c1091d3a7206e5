"""The audit bundle: everything an auditor needs to check the log on another machine.

    manifest.json     format, counts, head of the chain, SHA-256 of every other file
    events.jsonl      every stored event as recorded: position, originator_id, originator_version,
                      topic, state_base64 (the exact stored bytes)
    chain.jsonl       the chain projection's links: position, link
    plans/KEY.json    each plan's state at the head, with the link it was computed at
    snapshots/KEY-approval-N.json   each approval act's certified snapshot

`coprogramma audit export` verifies the store first; a store that does not verify is still
exported (for forensics), with a warning and exit status 1.

Check it with `coprogramma audit verify-bundle DIR` or, without the project installed,
`python verify_bundle.py DIR` (server/audit/verify_bundle.py, standard library only).
"""
from __future__ import annotations

import base64
import shutil
from datetime import datetime, timezone
from pathlib import Path

from eventsourcing.persistence import MapperDeserialisationError
from sqlalchemy import select

from server.audit.snapshot import certified_snapshot
from server.audit.verify import UNREADABLE, chained_position, walk
from server.audit import verify_bundle
from server.audit.verify_bundle import BUNDLE_FORMAT, GENESIS, file_sha256, state_bytes, uuid_text
from server.jsonutil import dumps
from server.projections.chain import ChainRow
from server.projections.plans import PlanRow


def export_bundle(runtime, folder: Path, first_bad: int | None = None) -> dict:
    """Writes the bundle; returns its manifest. `first_bad`: the store is known not to verify from this
    position on (server/audit/verify.py), and the bundle is written for forensics: the manifest says
    so ("tampered"), and a plan or snapshot file at or after that position (it would pair altered
    events with the genuine link), or one that cannot be computed (an event no longer decodes), is
    left out and named in "not_written", instead of stopping the export."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"la cartella {folder} non è vuota")
    (folder / "plans").mkdir(parents=True, exist_ok=True)
    (folder / "snapshots").mkdir(exist_ok=True)
    runtime.wait_for(runtime.event_position())
    with runtime.sessions() as session:
        upto = chained_position(session)
        count, first = _write_events(runtime, folder / "events.jsonl", upto)
        head = _write_chain(session, folder / "chain.jsonl", upto)
        not_written: dict[str, str] = {}
        for name, (plan_key, where) in state_files(session, upto).items():
            try:
                document = certified_snapshot(runtime, session, plan_key, **where)
            except MapperDeserialisationError:
                if first_bad is None:
                    raise
                not_written[name] = UNREADABLE
                continue
            if first_bad is not None and document["position"] >= first_bad:
                not_written[name] = f"non certificabile: il registro è alterato dalla posizione {first_bad}."
                continue
            _write_json(folder / name, document)
    # The offline verifier travels with the bundle (standard library only); an auditor who does not
    # trust whoever wrote the bundle runs the project's own copy instead: they are the same file.
    shutil.copyfile(verify_bundle.__file__, folder / "verify_bundle.py")
    files = {path.relative_to(folder).as_posix(): file_sha256(path)
             for path in sorted(folder.rglob("*")) if path.is_file()}
    manifest = {"format": BUNDLE_FORMAT, "generated_at": datetime.now(timezone.utc).isoformat(),
                "events": count, "first_position": first, "last_position": upto, "genesis": GENESIS, "head": head,
                "chain": "link_n = SHA-256(link_n-1 || canonical bytes of event n): see verify_bundle.py",
                "files": files}
    if first_bad is not None:
        manifest["tampered"] = {"first_bad_position": first_bad,
                                "note": "Il registro esportato non supera la verifica: il pacchetto serve all'analisi "
                                        "e non certifica nulla."}
    if not_written:
        manifest["not_written"] = not_written
    _write_json(folder / "manifest.json", manifest)
    return manifest


def state_files(session, upto: int) -> dict[str, tuple[str, dict]]:
    """The bundle's plan and snapshot files: name -> (plan, where), `where` being what
    certified_snapshot takes (the plan at `upto`, or as approved by act N)."""
    files = {}
    for plan in session.scalars(select(PlanRow).order_by(PlanRow.key)).all():
        files[f"plans/{plan.key}.json"] = (plan.key, {"position": upto})
        for number in range(1, len(plan.approvals) + 1):
            files[f"snapshots/{plan.key}-approval-{number}.json"] = (plan.key, {"approval": number})
    return files


def _write_events(runtime, path: Path, upto: int) -> tuple[int, int | None]:
    count, first = 0, None
    with path.open("w", encoding="utf-8") as out:
        for notification, _link in walk(runtime.app, upto):
            out.write(dumps({"position": notification.id, "originator_id": uuid_text(notification.originator_id),
                             "originator_version": notification.originator_version, "topic": notification.topic,
                             "state_base64": base64.b64encode(state_bytes(notification.state)).decode("ascii")}) + "\n")
            count, first = count + 1, first or notification.id
    return count, first


def _write_chain(session, path: Path, upto: int) -> str:
    head = GENESIS
    with path.open("w", encoding="utf-8") as out:
        for position, link in session.execute(select(ChainRow.position, ChainRow.link)
                                              .where(ChainRow.position <= upto).order_by(ChainRow.position)):
            out.write(dumps({"position": position, "link": link}) + "\n")
            head = link
    return head


def _write_json(path: Path, document: dict) -> None:
    path.write_text(dumps(document, indent=2) + "\n", encoding="utf-8")
