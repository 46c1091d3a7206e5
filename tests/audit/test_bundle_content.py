"""The content of a bundle's plans/ and snapshots/ files is tied to its events: `coprogramma audit
verify-bundle` recomputes each of them from events.jsonl (server/audit/recompute.py), so a careful
forger who also rewrites the manifest's SHA-256 is caught; the standard-library verifier says which
files it could only take on the manifest's word. And the console's export and time-travel answers."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from server.demo import PLAN
from tests.audit.test_bundle import bundle, instance, invoke, offline  # noqa: F401  (fixtures)

SNAPSHOT = f"snapshots/{PLAN}-approval-1.json"
PLAN_FILE = f"plans/{PLAN}.json"
MISMATCH = "il contenuto non corrisponde allo stato ricalcolato dagli eventi"
AMOUNT = re.compile(r'("amount_eur": )(-?[0-9.]+)')


def console(folder: Path) -> tuple[int, dict]:
    result = invoke("audit", "verify-bundle", str(folder))
    return result.exit_code, json.loads(result.stdout)


def content_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for section in ("plans", "snapshots")
                  for p in (folder / section).glob("*.json"))


def forge(folder: Path, name: str, change) -> None:
    """Edit a file and, as a careful forger would, its SHA-256 in the manifest."""
    path = folder / name
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def raise_first_amount(text: str) -> str:
    match = AMOUNT.search(text)
    assert match, "the demo plan has budget items"
    raised = Decimal(match.group(2)) + Decimal("0.1")
    return text[:match.start(2)] + str(raised) + text[match.end(2):]


def test_a_good_bundle_has_its_content_recomputed_on_the_console_and_declared_unchecked_offline(bundle):
    files = content_files(bundle)
    assert PLAN_FILE in files and SNAPSHOT in files
    code, report = console(bundle)
    assert code == 0 and report["ok"] and report["problems"] == [], report
    assert report["content_recomputed"] == files and "content_not_recomputed" not in report
    code, report = offline(bundle)
    assert code == 0 and report["ok"]
    assert report["content_not_recomputed"] == files
    assert "coprogramma audit verify-bundle" in report["note"] and "solo dal manifesto" in report["note"]


def test_a_snapshot_with_one_amount_changed_and_its_sha_rewritten_fails_on_the_console(bundle):
    forge(bundle, SNAPSHOT, raise_first_amount)
    code, report = offline(bundle)
    assert code == 0 and SNAPSHOT in report["content_not_recomputed"]  # what the stdlib script cannot see
    code, report = console(bundle)
    assert code == 1 and not report["ok"] and report["first_bad_position"] is None
    assert len(report["problems"]) == 1, report["problems"]
    assert report["problems"][0].startswith(f"{SNAPSHOT}: {MISMATCH}") and "amount_eur" in report["problems"][0]


def test_a_plan_state_with_one_amount_changed_and_its_sha_rewritten_fails_on_the_console(bundle):
    forge(bundle, PLAN_FILE, raise_first_amount)
    assert offline(bundle)[0] == 0
    code, report = console(bundle)
    assert code == 1 and not report["ok"]
    assert [p.split(":")[0] for p in report["problems"]] == [PLAN_FILE]
    assert MISMATCH in report["problems"][0]


def test_the_same_numbers_written_differently_are_not_a_change_but_a_status_is(bundle):
    # 99870.89 written 99870.890 (or 124838 as 124838.0) is the same amount: not a forgery
    forge(bundle, SNAPSHOT, lambda text: AMOUNT.sub(lambda m: m.group(1) + (
        m.group(2) + "0" if "." in m.group(2) else m.group(2) + ".0"), text))
    code, report = console(bundle)
    assert code == 0 and report["ok"] and SNAPSHOT in report["content_recomputed"], report
    forge(bundle, SNAPSHOT, lambda text: text.replace('"status": "approved"', '"status": "draft"', 1))
    code, report = console(bundle)
    assert code == 1 and report["problems"][0].startswith(f"{SNAPSHOT}: {MISMATCH}")


def test_a_snapshot_removed_with_its_manifest_entry_is_missed_by_the_console(bundle):
    (bundle / SNAPSHOT).unlink()
    manifest = json.loads((bundle / "manifest.json").read_text())
    del manifest["files"][SNAPSHOT]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert offline(bundle)[0] == 0
    code, report = console(bundle)
    assert code == 1 and report["problems"] == [f"{SNAPSHOT}: manca nel pacchetto, ma gli eventi lo prevedono"]


@pytest.mark.parametrize("edit", [
    # a value changed, the event still decodes: the states can be computed, but not certified
    "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), '\"ets\"', '\"pa\"') AS BLOB)",
    # the bytes turned into text (SQLite's ||): the event no longer decodes, the plan states cannot be computed
    "UPDATE stored_events SET state = state || ' '",
], ids=["decodable", "undecodable"])
def test_export_of_a_tampered_store_writes_the_bundle_but_warns_and_fails(instance, tmp_path, edit):
    with sqlite3.connect(instance / "events.sqlite3") as conn:
        assert conn.execute(f"{edit} WHERE rowid = 42").rowcount == 1
    folder = tmp_path / "pacchetto"
    result = invoke("audit", "export", "--output", str(folder))
    assert result.exit_code == 1, result.output
    assert "Attenzione" in result.stderr and "prima posizione alterata: 42" in result.stderr
    manifest = json.loads((folder / "manifest.json").read_text())  # written all the same, for forensics
    assert (folder / "events.jsonl").is_file() and manifest["events"] > 42
    assert manifest["tampered"]["first_bad_position"] == 42
    assert SNAPSHOT in manifest["not_written"] and "non scritto" in result.stderr
    assert not (folder / SNAPSHOT).exists()
    if "||" not in edit:
        assert manifest["not_written"][SNAPSHOT] == "non certificabile: il registro è alterato dalla posizione 42."
    code, report = offline(folder)
    assert code == 1 and report["first_bad_position"] == 42
    code, report = console(folder)
    assert code == 1 and "content_recomputed" not in report and "non è stato ricalcolato" in report["note"]
    assert report["content_not_recomputed"] == content_files(folder)


def test_the_console_says_unknown_plan_for_a_plan_that_never_existed(instance):
    for args in (("state", "nessun-piano", "--at", "3"), ("snapshot", "nessun-piano", "--at", "3"),
                 ("state", "nessun-piano")):
        result = invoke("audit", *args)
        assert result.exit_code == 2 and "Errore: Piano sconosciuto" in result.stderr, (args, result.output)
    result = invoke("audit", "state", PLAN, "--at", "0")  # a real plan, before its import
    assert result.exit_code == 2 and "non esisteva ancora in quel momento" in result.stderr


def test_the_console_does_not_print_alembic_start_up_lines(cli_instance):
    environment = {**os.environ, "COPROGRAMMA_LOG_LEVEL": "INFO"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "audit", "state", "nessun-piano"], env=environment,
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2 and "Piano sconosciuto" in done.stderr
    assert "alembic" not in done.stderr, done.stderr


def test_a_bundle_of_a_store_that_compresses_its_events_is_recomputed_without_that_setting(cli_instance, tmp_path,
                                                                                           monkeypatch):
    from server.config import Settings
    from server.demo import load_demo
    from server.runtime import Runtime

    monkeypatch.setenv("COMPRESSOR_TOPIC", "eventsourcing.compressor:ZlibCompressor")  # the operator's choice
    runtime = Runtime(Settings.from_env())
    try:
        load_demo(runtime)
    finally:
        runtime.close()
    folder = tmp_path / "pacchetto"
    assert invoke("audit", "export", "--output", str(folder)).exit_code == 0
    monkeypatch.delenv("COMPRESSOR_TOPIC")  # the auditor's machine knows nothing of it
    code, report = console(folder)
    assert code == 0 and report["ok"] and report["content_recomputed"] == content_files(folder), report
    forge(folder, SNAPSHOT, raise_first_amount)
    code, report = console(folder)
    assert code == 1 and report["problems"][0].startswith(f"{SNAPSHOT}: {MISMATCH}")
