"""`coprogramma audit verify-bundle`: the offline checks of verify_bundle.py, then the content of
plans/*.json and snapshots/*.json recomputed from the bundle's own events.

verify_bundle.py (standard library only) proves that events.jsonl is the chained log and that each
plan or snapshot file names a position and link of that chain; it cannot tell whether a file's
*content* is what the events give at that position. Here the project's own code answers that:

1. the bundle's stored events are loaded, byte for byte and at their exact positions (gaps kept),
   into a throw-away instance (SQLite in a temporary folder; no server, no existing database;
   compressed by eventsourcing's zlib compressor or not, as the stored states show);
2. the read models are rebuilt from them (the projector, as `coprogramma rebuild` does), and the
   chain that rebuild computes must end at the bundle's head (else the load was not faithful);
3. every file is computed again with the very functions the export uses
   (server/audit/snapshot.certified_snapshot: `position=` the head for plans/KEY.json,
   `approval=N` for snapshots/KEY-approval-N.json) and compared with the file as parsed JSON
   (numbers as Decimals, by value; otherwise types strict, so true is not 1). Files the events call for but
   the bundle lacks are reported too.

Step 3 runs only when the events are the chained log (no broken link, the manifest's head): the
states of a tampered log prove nothing, and that log has already been reported.
"""
from __future__ import annotations

import base64
import json
import tempfile
import zlib
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from server.audit.verify_bundle import NOT_RECOMPUTED, verify_bundle

PAGE = 5000
MISMATCH = "il contenuto non corrisponde allo stato ricalcolato dagli eventi"
RECOMPUTED = ("Il contenuto di plans/ e snapshots/ è stato ricalcolato dagli eventi del pacchetto "
              "con il codice del progetto.")
SKIPPED = ("Il contenuto di plans/ e snapshots/ non è stato ricalcolato: gli eventi del pacchetto "
           "non sono la catena dichiarata.")


def verify_bundle_with_states(folder) -> dict:
    """verify_bundle.py's report, plus the recomputed content: `content_recomputed` lists the files
    checked against the events; problems name each file that differs. Raises what verify_bundle
    raises on an unreadable bundle."""
    folder = Path(folder)
    report = verify_bundle(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = report.pop(NOT_RECOMPUTED, [])
    report.pop("note", None)
    if report["first_bad_position"] is not None or report["head"] != manifest.get("head"):
        report.update({NOT_RECOMPUTED: files, "note": SKIPPED})
        return report
    try:
        checked, problems = recompute_states(folder)
    except Exception as error:  # noqa: BLE001 - whatever stops the recomputation makes the bundle unproven
        checked, problems = [], [f"ricalcolo dagli eventi non riuscito: {type(error).__name__}: {error}"]
    report["problems"] = report["problems"] + problems
    report["ok"] = not report["problems"]
    report["content_recomputed"] = checked
    if checked:
        report["note"] = RECOMPUTED
    return report


def recompute_states(folder: Path) -> tuple[list[str], list[str]]:
    """(files checked, problems): each plans/ and snapshots/ file against the state the events give."""
    from server.audit.bundle import state_files
    from server.audit.snapshot import certified_snapshot
    from server.config import Settings
    from server.events.errors import DomainError
    from server.jsonutil import dumps, loads
    from server.projections.chain import link_at
    from server.runtime import Runtime

    present = {f"{section}/{path.name}": path for section in ("plans", "snapshots")
               for path in sorted((folder / section).glob("*.json"))}
    checked, problems = [], []
    with tempfile.TemporaryDirectory(prefix="coprogramma-verifica-") as temporary:
        # SQLite in the temporary folder whatever COPROGRAMMA_* says; compressed as the bundle's states show
        settings = Settings.from_env({}, instance=Path(temporary) / "instance", log_level="WARNING",
                                     compressor_topic=_compressor_of(folder / "events.jsonl"))
        runtime = Runtime(settings)
        try:
            last = _load_events(runtime.app, folder / "events.jsonl")
            runtime.projector.rebuild()
            with runtime.sessions() as session:
                position, link = link_at(session, last)
                head = json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("head")
                if last and (position, link) != (last, head):
                    return [], ["ricalcolo dagli eventi: la catena dell'istanza temporanea non coincide con "
                                "quella del pacchetto (caricamento non fedele)"]
                expected = state_files(session, last)
                for name in sorted(set(expected) - set(present)):
                    problems.append(f"{name}: manca nel pacchetto, ma gli eventi lo prevedono")
                for name, path in present.items():
                    target = expected.get(name)
                    if target is None:
                        problems.append(f"{name}: gli eventi non prevedono questo file (piano o approvazione "
                                        "inesistente)")
                        continue
                    plan_key, where = target
                    try:
                        document = certified_snapshot(runtime, session, plan_key, **where)
                    except DomainError as error:
                        problems.append(f"{name}: non ricalcolabile dagli eventi ({error.message})")
                        continue
                    recomputed = loads(dumps(document))  # the document exactly as the export writes it
                    try:
                        stored = loads(path.read_text(encoding="utf-8"))
                    except ValueError as error:
                        problems.append(f"{name}: JSON illeggibile ({error})")
                        continue
                    checked.append(name)
                    where_differs = _difference(stored, recomputed)
                    if where_differs is not None:
                        problems.append(f"{name}: {MISMATCH} ({where_differs or 'documento'})")
        finally:
            runtime.close()
    return sorted(checked), problems


def _compressor_of(path: Path) -> str | None:
    """"" for states stored as the transcoder's JSON, eventsourcing's zlib compressor for states it
    compressed (an operator's COMPRESSOR_TOPIC), None (this environment decides) for anything else."""
    with path.open("r", encoding="utf-8") as lines:
        first = next((line for line in lines if line.strip()), None)
    if first is None:
        return None
    state = base64.b64decode(json.loads(first)["state_base64"], validate=True)
    if state.startswith(b"{"):
        return ""
    try:
        zlib.decompress(state)
    except zlib.error:
        return None
    return "eventsourcing.compressor:ZlibCompressor"


def _load_events(app, path: Path) -> int:
    """The bundle's events into the instance's event store, each at its own position (its rowid),
    with the stored bytes as they are; returns the last position."""
    recorder = app.recorder
    statement = (f"INSERT INTO {recorder.events_table_name} (rowid, originator_id, originator_version, topic, state) "
                 "VALUES (?, ?, ?, ?, ?)")
    last, rows = 0, []
    with path.open("r", encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            state = base64.b64decode(event["state_base64"], validate=True)
            if state.startswith(b"text:"):  # a state the store handed back as text (see verify_bundle.py)
                state = state[len(b"text:"):].decode("utf-8")
            rows.append((int(event["position"]), UUID(str(event["originator_id"])).hex,
                         int(event["originator_version"]), event["topic"], state))
            last = max(last, rows[-1][0])
            if len(rows) == PAGE:
                _insert(recorder, statement, rows)
                rows = []
    if rows:
        _insert(recorder, statement, rows)
    return last


def _insert(recorder, statement: str, rows: list[tuple]) -> None:
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.executemany(statement, rows)


def _difference(stored, recomputed, where: str = "") -> str | None:
    """Where two parsed JSON values differ (a path like state.objectives[3].fields.target), or None.
    Numbers compare by value (0.2 and 0.20, 7 and 7.0 are the same number), everything else by type
    and value (true is not 1, "1" is not 1); the top-level
    «at» compares as an instant (the exporting database may have shown it in another offset)."""
    if where == "at" and isinstance(stored, str) and isinstance(recomputed, str):
        moment = _instant(recomputed)
        return None if moment is not None and _instant(stored) == moment else where
    if _is_number(stored) and _is_number(recomputed):
        same = stored == recomputed or (_is_nan(stored) and _is_nan(recomputed))
        return None if same else where
    if type(stored) is not type(recomputed):
        return where
    if isinstance(stored, dict):
        if stored.keys() != recomputed.keys():
            extra = sorted(set(stored) ^ set(recomputed))
            return f"{where}.{extra[0]}" if where else str(extra[0])
        for key in stored:
            found = _difference(stored[key], recomputed[key], f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
        return None
    if isinstance(stored, list):
        if len(stored) != len(recomputed):
            return where
        for index, (left, right) in enumerate(zip(stored, recomputed)):
            found = _difference(left, right, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    return None if stored == recomputed else where


def _is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _is_nan(value) -> bool:
    return isinstance(value, Decimal) and value.is_nan()


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None
