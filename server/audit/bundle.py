"""The audit bundle: everything an auditor needs to check the log on another machine.

    manifest.json     format, counts, head of the chain, SHA-256 of every other file
    events.jsonl      every stored event as recorded: position, originator_id, originator_version,
                      topic, state_base64 (the exact stored bytes)
    chain.jsonl       the chain projection's links: position, link
    plans/KEY.json    each plan's state at the head, with the link it was computed at
    snapshots/KEY-approval-N.json   each approval act's certified snapshot

Check it with `coprogramma audit verify-bundle DIR` or, without the project installed,
`python verify_bundle.py DIR` (server/audit/verify_bundle.py, standard library only).
"""
from __future__ import annotations

import base64
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from server.audit.snapshot import certified_snapshot
from server.audit.verify import chained_position, walk
from server.audit.verify_bundle import BUNDLE_FORMAT, GENESIS, file_sha256, state_bytes
from server.jsonutil import dumps
from server.projections.chain import ChainRow
from server.projections.plans import PlanRow


def export_bundle(runtime, folder: Path) -> dict:
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
        for plan in session.scalars(select(PlanRow).order_by(PlanRow.key)):
            state = certified_snapshot(runtime, session, plan.key, position=upto)
            _write_json(folder / "plans" / f"{plan.key}.json", state)
            for number, _act in enumerate(plan.approvals, 1):
                snapshot = certified_snapshot(runtime, session, plan.key, approval=number)
                _write_json(folder / "snapshots" / f"{plan.key}-approval-{number}.json", snapshot)
    files = {path.relative_to(folder).as_posix(): file_sha256(path)
             for path in sorted(folder.rglob("*")) if path.is_file()}
    manifest = {"format": BUNDLE_FORMAT, "generated_at": datetime.now(timezone.utc).isoformat(),
                "events": count, "first_position": first, "last_position": upto, "genesis": GENESIS, "head": head,
                "chain": "link_n = SHA-256(link_n-1 || canonical bytes of event n): see verify_bundle.py",
                "files": files}
    _write_json(folder / "manifest.json", manifest)
    return manifest


def _write_events(runtime, path: Path, upto: int) -> tuple[int, int | None]:
    count, first = 0, None
    with path.open("w", encoding="utf-8") as out:
        for notification, _link in walk(runtime.app, upto):
            out.write(dumps({"position": notification.id, "originator_id": str(notification.originator_id),
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
