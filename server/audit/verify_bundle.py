"""Checks an audit bundle offline. Python standard library only: copy this file anywhere and run

    python verify_bundle.py BUNDLE_DIR        (exit status 0: intact, 1: not intact, 2: unreadable)

It is also where the hash chain is defined (the server imports it from here):

    link_0 = 32 zero bytes
    link_n = SHA-256(link_{n-1} || canonical_n)          (raw 32-byte digests; shown as hex)
    canonical_n = b"coprogramma-event/1\\n"
                  + ASCII decimal position + b"\\n"
                  + originator id as lowercase hyphenated UUID + b"\\n"
                  + ASCII decimal originator version + b"\\n"
                  + topic in UTF-8 + b"\\n"
                  + ASCII decimal length of the state + b"\\n"
                  + the state bytes exactly as stored
    (a state the store hands back as text, which the application never writes, is hashed as
    b"text:" + its UTF-8 bytes, so that changing a stored value's type is also a change)

A bundle (written by `coprogramma audit export`) holds manifest.json, events.jsonl (one stored
event per line: position, originator_id, originator_version, topic, state_base64), chain.jsonl
(position, link), and plans/*.json and snapshots/*.json, each naming the position and chain link
it was computed at. The manifest lists every file with its SHA-256 and the head of the chain.

What this file cannot do: compute a plan's state. The content of plans/*.json and snapshots/*.json
is confirmed here only by the manifest's SHA-256 (which whoever wrote the bundle also wrote), and
the report lists those files under "content_not_recomputed". `coprogramma audit verify-bundle DIR`
(server/audit/recompute.py) runs these same checks and then recomputes each of them from the
bundle's own events with the project's code.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import sys
from pathlib import Path
from uuid import UUID

BUNDLE_FORMAT = "coprogramma/audit-bundle@1"
GENESIS = "0" * 64
NOT_RECOMPUTED = "content_not_recomputed"
NOT_RECOMPUTED_NOTE = ("Il contenuto dei file in content_not_recomputed è confermato solo dal manifesto, "
                       "non ricalcolato dagli eventi: per ricalcolarlo usare "
                       "`coprogramma audit verify-bundle CARTELLA`.")


def state_bytes(state) -> bytes:
    """The stored state as the chain hashes it (and as a bundle carries it)."""
    return b"text:" + state.encode("utf-8") if isinstance(state, str) else bytes(state)


def link_after(previous: str, position: int, originator_id, originator_version: int, topic: str, state) -> str:
    """link_n from link_{n-1} and the stored event n (hashed in parts: the state is never copied)."""
    digest = hashlib.sha256(bytes.fromhex(previous))
    for part in _canonical_parts(position, originator_id, originator_version, topic, state):
        digest.update(part)
    return digest.hexdigest()


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX_UUID = re.compile(r"[0-9a-f]{32}")


@functools.lru_cache(maxsize=1 << 16)  # an aggregate's events come together: its id is asked for again
def uuid_text(originator_id) -> str:
    """An originator id as str(UUID) writes it (lowercase, hyphenated). A text already so, or as
    eventsourcing's SQLite store keeps it (32 hex digits), is not parsed: that is most of the cost."""
    if isinstance(originator_id, str):
        if len(originator_id) == 32 and _HEX_UUID.fullmatch(originator_id):
            i = originator_id
            return f"{i[:8]}-{i[8:12]}-{i[12:16]}-{i[16:20]}-{i[20:]}"
        if _CANONICAL_UUID.fullmatch(originator_id):
            return originator_id
    return str(originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)))


def _canonical_parts(position: int, originator_id, originator_version: int, topic: str, state) -> tuple[bytes, bytes]:
    """canonical_n, as (everything before the state, the state bytes)."""
    uuid = uuid_text(originator_id)
    state = state_bytes(state)
    header = b"coprogramma-event/1\n%d\n%s\n%d\n%s\n%d\n" % (
        int(position), uuid.encode("ascii"), int(originator_version), topic.encode("utf-8"), len(state))
    return header, state


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _lines(path: Path):
    with path.open("r", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield number, json.loads(line)


def verify_bundle(folder) -> dict:
    """{"ok", "events", "head", "first_bad_position", "problems"}: what is wrong, if anything; and
    "content_not_recomputed" (with a "note"): the plans/ and snapshots/ files whose content this
    check takes on the manifest's word."""
    folder = Path(folder)
    problems: list[str] = []
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != BUNDLE_FORMAT:
        problems.append(f"manifest: formato sconosciuto {manifest.get('format')!r}")
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: file mancante")
        elif file_sha256(path) != expected:
            problems.append(f"{name}: SHA-256 diverso da quello del manifesto")
    listed = set(manifest.get("files", {}))
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"):
        if path.relative_to(folder).as_posix() not in listed:
            problems.append(f"{path.relative_to(folder).as_posix()}: file non elencato nel manifesto")

    chain = {}
    for number, entry in _lines(folder / "chain.jsonl"):
        chain[entry["position"]] = entry["link"]
    link, count, first_bad, previous, links = GENESIS, 0, None, 0, {}
    for number, event in _lines(folder / "events.jsonl"):
        position = event["position"]
        if position <= previous:
            problems.append(f"events.jsonl riga {number}: posizione {position} fuori ordine")
        previous = position
        count += 1
        try:
            state = base64.b64decode(event["state_base64"], validate=True)
            link = link_after(link, position, event["originator_id"], event["originator_version"], event["topic"],
                              state)
        except (ValueError, TypeError, KeyError) as error:  # an altered field that no longer reads
            problems.append(f"posizione {position}: evento illeggibile ({type(error).__name__}: {error})")
            first_bad = position if first_bad is None else first_bad
            continue
        links[position] = link
        if chain.get(position) != link and first_bad is None:
            first_bad = position
            problems.append(f"posizione {position}: l'anello della catena non corrisponde all'evento")
    extra = sorted(set(chain) - set(links))
    if extra:
        first_bad = min(first_bad or extra[0], extra[0])
        problems.append(f"chain.jsonl: anelli senza evento (posizione {extra[0]}...)")
    if manifest.get("events") != count:
        problems.append(f"manifesto: {manifest.get('events')} eventi dichiarati, {count} presenti")
    if manifest.get("head") != link:
        problems.append("manifesto: la testa della catena dichiarata non è quella ricalcolata")
    not_recomputed = []
    for section in ("plans", "snapshots"):
        for path in sorted((folder / section).glob("*.json")) if (folder / section).is_dir() else []:
            not_recomputed.append(f"{section}/{path.name}")
            document = json.loads(path.read_text(encoding="utf-8"))
            chained = document.get("chain", {})
            if links.get(chained.get("position")) != chained.get("link"):
                problems.append(f"{section}/{path.name}: la catena non conferma la posizione {chained.get('position')}")
    report = {"ok": not problems, "events": count, "head": link, "first_bad_position": first_bad, "problems": problems,
              NOT_RECOMPUTED: not_recomputed}
    if not_recomputed:
        report["note"] = NOT_RECOMPUTED_NOTE
    return report


USAGE = """uso: python verify_bundle.py CARTELLA_DEL_PACCHETTO

Verifica un pacchetto di revisione scritto da `coprogramma audit export`: ricalcola la catena di hash
dagli eventi e la confronta con chain.jsonl, i file del manifesto e i piani e le istantanee.
Stato di uscita: 0 integro, 1 non integro, 2 illeggibile."""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if len(args) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    if not Path(args[0]).is_dir():
        print(json.dumps({"ok": False, "error": f"cartella inesistente: {args[0]}"}, ensure_ascii=False))
        return 2
    try:
        report = verify_bundle(args[0])
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(json.dumps({"ok": False, "error": f"pacchetto illeggibile: {error}"}, ensure_ascii=False))
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
