"""The auditor's console: `coprogramma audit ...`, and the offline bundle verifier (standard library
only, run as a plain script in an isolated interpreter)."""
from __future__ import annotations

import base64
import json
import sqlite3
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.config import Settings
from server.demo import PLAN, load_demo
from server.audit.verify import UNREADABLE
from server.runtime import Runtime

VERIFIER = Path(__file__).resolve().parents[2] / "server" / "audit" / "verify_bundle.py"


@pytest.fixture
def instance(cli_instance):
    """An instance with the demo loaded."""
    runtime = Runtime(Settings.from_env())
    try:
        load_demo(runtime)
    finally:
        runtime.close()
    return cli_instance


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def offline(folder: Path) -> tuple[int, dict]:
    """python -I: no site-packages, no project on the path, as on an auditor's machine."""
    done = subprocess.run([sys.executable, "-I", str(VERIFIER), str(folder)], capture_output=True, text=True,
                          cwd=folder.parent, timeout=120)
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def bundle(instance, tmp_path) -> Path:
    folder = tmp_path / "pacchetto"
    result = invoke("audit", "export", "--output", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def rewrite_line(path: Path, position: int, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        entry = json.loads(line)
        if entry["position"] == position:
            lines[i] = json.dumps(change(entry))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_good_bundle_passes_offline_and_on_the_console(bundle):
    manifest = json.loads((bundle / "manifest.json").read_text())
    code, report = offline(bundle)
    assert code == 0, report
    assert report["ok"] and report["events"] == manifest["events"] and report["head"] == manifest["head"]
    assert {"events.jsonl", "chain.jsonl", f"plans/{PLAN}.json", f"snapshots/{PLAN}-approval-1.json"} <= set(manifest["files"])
    assert invoke("audit", "verify-bundle", str(bundle)).exit_code == 0
    plan = json.loads((bundle / "plans" / f"{PLAN}.json").read_text())
    assert plan["chain"]["link"] == manifest["head"] and plan["state"]["key"] == PLAN


def test_the_bundle_carries_its_own_offline_verifier(bundle, tmp_path):
    """Taken alone to another machine (no project there), the bundle is checked by the verifier inside it."""
    elsewhere = tmp_path / "altrove"
    shutil.copytree(bundle, elsewhere / "pacchetto")
    assert (elsewhere / "pacchetto" / "verify_bundle.py").read_bytes() == VERIFIER.read_bytes()
    done = subprocess.run([sys.executable, "-I", "pacchetto/verify_bundle.py", "pacchetto"], capture_output=True,
                          text=True, cwd=elsewhere, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["ok"] is True, done.stdout + done.stderr
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert "verify_bundle.py" in manifest["files"]


def test_an_edited_event_fails_at_its_position_even_if_the_manifest_is_rewritten(bundle):
    target = 120

    def tamper(entry):
        state = json.loads(base64.b64decode(entry["state_base64"]))
        state["actor"] = "qualcun-altro"
        return {**entry, "state_base64": base64.b64encode(json.dumps(state).encode()).decode()}

    rewrite_line(bundle / "events.jsonl", target, tamper)
    code, report = offline(bundle)
    assert code == 1 and not report["ok"] and report["first_bad_position"] == target
    assert any("events.jsonl" in problem for problem in report["problems"])
    # A careful forger also fixes the manifest's hashes: the chain still gives them away.
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["events.jsonl"] = __import__("hashlib").sha256((bundle / "events.jsonl").read_bytes()).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    code, report = offline(bundle)
    assert code == 1 and report["first_bad_position"] == target
    assert invoke("audit", "verify-bundle", str(bundle)).exit_code == 1


def test_a_modified_plan_state_or_a_missing_line_fails(bundle, tmp_path):
    plan_file = bundle / "plans" / f"{PLAN}.json"
    plan_file.write_text(plan_file.read_text().replace('"approved"', '"drafting"', 1))
    code, report = offline(bundle)
    assert code == 1 and report["first_bad_position"] is None
    assert report["problems"] == [f"plans/{PLAN}.json: SHA-256 diverso da quello del manifesto"]
    lines = (bundle / "events.jsonl").read_text().splitlines()
    (bundle / "events.jsonl").write_text("\n".join(lines[:50] + lines[51:]) + "\n")
    code, report = offline(bundle)
    assert code == 1 and report["first_bad_position"] == json.loads(lines[50])["position"]
    code, report = offline(tmp_path / "inesistente")
    assert code == 2 and report == {"ok": False, "error": f"cartella inesistente: {tmp_path / 'inesistente'}"}
    done = subprocess.run([sys.executable, "-I", str(VERIFIER), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("uso: python verify_bundle.py CARTELLA_DEL_PACCHETTO")


def test_the_console_verifies_the_store_and_finds_an_edited_row(instance):
    result = invoke("audit", "verify")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["ok"] and report["first_bad_position"] is None
    assert result.stderr.startswith(f"Registro integro: {report['events']} eventi")
    with sqlite3.connect(instance / "events.sqlite3") as conn:
        conn.execute("UPDATE stored_events SET state = state || ' ' WHERE rowid = 42")
    result = invoke("audit", "verify")
    assert result.exit_code == 1 and json.loads(result.stdout)["first_bad_position"] == 42
    assert "Registro alterato: la prima posizione che non corrisponde alla catena salvata è 42." in result.stderr


def test_the_console_answers_state_diff_provenance_and_the_certified_snapshot(instance, tmp_path):
    snapshot = json.loads(invoke("audit", "snapshot", PLAN, "--approved").stdout)
    assert snapshot["approval"]["act"].startswith("Delibera n. 12") and snapshot["state"]["status"] == "approved"
    position = snapshot["position"]
    state = json.loads(invoke("audit", "state", PLAN, "--at", str(position)).stdout)
    assert {k: v for k, v in state.items() if k != "position"} == snapshot["state"]
    diff = json.loads(invoke("audit", "diff", PLAN, "--from", str(position - 30), "--to", str(position)).stdout)
    assert diff["plan"]["status"]["after"] == "approved" and diff["objectives"]["changed"]
    fields = json.loads(invoke("audit", "provenance", PLAN, "A-Ob1").stdout)["fields"]
    assert fields["target"]["proposed_by"]["name"] == "Luca Galli"
    assert fields["target"]["decided_by"]["name"] == "Marco Bianchi"
    assert fields["expected_results"]["proposed_by"]["name"] == "Chiara Moretti"  # revised after a conflict
    assert [h["proposed_by"]["name"] for h in fields["expected_results"]["history"]] == ["Giulia Ferrari", "Paolo Ricci"]
    output = tmp_path / "certificata.json"
    assert invoke("audit", "snapshot", PLAN, "--at", str(position), "--output", str(output)).exit_code == 0
    assert json.loads(output.read_text())["state"] == snapshot["state"]
    bad = invoke("audit", "state", PLAN, "--at", "999999")
    assert bad.exit_code == 2 and "Posizione non valida" in bad.output


def test_the_console_lists_the_history_whole_or_filtered(instance, tmp_path):
    from sqlalchemy import func, select

    from server.projections.history import HistoryRow

    lines = invoke("audit", "history", PLAN).stdout.splitlines()
    events = [json.loads(line) for line in lines]
    runtime = Runtime(Settings.from_env())
    try:
        with runtime.sessions() as session:
            assert len(events) == session.scalar(select(func.count()).where(HistoryRow.plan_key == PLAN))
    finally:
        runtime.close()
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and {e["plan"] for e in events} == {PLAN}
    target = [e for e in events if e["objective_ref"] == "A-Ob1"]
    assert [json.loads(line) for line in invoke("audit", "history", PLAN, "--objective", "A-Ob1").stdout.splitlines()] == target
    approvals = [e for e in target if e["type"] == "Proposal.Decided" and e["data"]["decision"] == "approve"]
    assert approvals and all(e["actor"]["name"] for e in approvals)  # who decided, by name
    output = tmp_path / "storia.csv"
    assert invoke("audit", "history", PLAN, "--format", "csv", "--until", events[9]["at"], "-o", str(output)).exit_code == 0
    rows = output.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("position,at,type,actor_id,actor_name") and len(rows) == 1 + 10
    refused = invoke("audit", "history", PLAN, "--objective", "Z.9")
    assert refused.exit_code == 2 and "Z.9" in refused.stderr


def alter(instance, position: int) -> None:
    """Edits one stored event behind the application's back (still valid JSON)."""
    with sqlite3.connect(instance / "events.sqlite3") as conn:
        assert conn.execute("UPDATE stored_events SET state = CAST(state || ' ' AS BLOB) WHERE rowid = ?",
                            (position,)).rowcount == 1


def test_an_altered_log_is_never_certified_and_every_read_warns(instance):
    approved = json.loads(invoke("audit", "snapshot", PLAN, "--approved").stdout)
    altered = approved["position"] - 2
    alter(instance, altered)
    refused = invoke("audit", "snapshot", PLAN, "--approved")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert f"l'istantanea non può essere certificata. Prima posizione alterata: {altered}." in refused.stderr
    before = invoke("audit", "snapshot", PLAN, "--at", str(altered - 1))
    assert before.exit_code == 0, before.stderr  # what comes before it still verifies
    for args in (("state", PLAN), ("diff", PLAN, "--from", "10"), ("provenance", PLAN, "A-Ob1")):
        read = invoke("audit", *args)
        assert read.exit_code == 1 and json.loads(read.stdout), args  # the answer, as the store now says
        assert f"non supera la verifica (prima posizione alterata: {altered})" in read.stderr, args


def test_a_rebuild_does_not_launder_an_altered_log_and_a_published_head_still_catches_it(instance):
    published = json.loads(invoke("audit", "verify").stdout)
    alter(instance, 42)
    refused = invoke("projections", "rebuild")
    assert refused.exit_code == 1 and "Ricostruzione annullata" in refused.stderr
    assert f"testa della catena salvata prima della ricostruzione: {published['head']}" in refused.stderr
    assert json.loads(invoke("audit", "verify").stdout)["stored_head"] == published["head"]
    assert json.loads(invoke("audit", "verify").stdout)["first_bad_position"] == 42  # the evidence is intact

    assert invoke("projections", "rebuild", "--force").exit_code == 0
    assert invoke("audit", "verify").exit_code == 0  # the stored chain now follows the altered events...
    checked = invoke("audit", "verify", "--at", str(published["position"]), "--head", published["head"])
    assert checked.exit_code == 1  # ...but not the head published before
    assert json.loads(checked.stdout)["published"]["matches"] is False
    assert checked.stderr.startswith("Registro riscritto: gli eventi corrispondono alla catena salvata")
    assert "NON corrisponde" in checked.stderr


def break_(instance, position: int) -> None:
    """Alters one stored event until it no longer decodes."""
    with sqlite3.connect(instance / "events.sqlite3") as conn:
        assert conn.execute("UPDATE stored_events SET state = CAST(substr(state, 1, length(state) - 1) || '@@' AS BLOB) "
                            "WHERE rowid = ?", (position,)).rowcount == 1


def test_an_event_deleted_from_the_store_is_never_rebuilt_over(instance):
    """A proposal whose creation is gone from the store would make the rebuild trip over its next
    event, with every read model dropped: refused even with --force, and nothing dropped."""
    from server.replay.log import read_log

    runtime = Runtime(Settings.from_env())
    try:
        created = next(e for e in read_log(runtime.app, 0, 10_000) if e.topic.endswith("Proposal.Created"))
        head = runtime.event_position()
    finally:
        runtime.close()
    with sqlite3.connect(instance / "events.sqlite3") as conn:
        assert conn.execute("DELETE FROM stored_events WHERE rowid = ?", (created.id,)).rowcount == 1
    for args in (("projections", "rebuild"), ("projections", "rebuild", "--force")):
        result = invoke(*args)
        assert result.exit_code == 1 and "Traceback" not in result.stderr, args
        assert f"l'evento alla posizione {created.id} non è più leggibile o manca dal registro" in result.stderr
    runtime = Runtime(Settings.from_env())
    try:
        assert runtime.projector.position() == head  # nothing dropped
        from uuid import UUID

        from eventsourcing.persistence import MapperDeserialisationError

        with pytest.raises(MapperDeserialisationError):  # a command on it: 409 `tampered`, never a 500
            runtime.app.comment_proposal(str(UUID(created.originator_id)), "Ciao", "system")
    finally:
        runtime.close()


def test_an_event_altered_past_reading_stops_nothing_and_is_never_rebuilt_over(instance, tmp_path):
    approved = json.loads(invoke("audit", "snapshot", PLAN, "--approved").stdout)
    broken = approved["position"] - 5
    break_(instance, broken)
    refused = invoke("audit", "snapshot", PLAN, "--approved")
    assert refused.exit_code == 1 and "non supera la verifica" in refused.stderr and not refused.stdout
    state = invoke("audit", "state", PLAN)
    assert state.exit_code == 1 and state.stdout == "" and f"Errore: {UNREADABLE}" in state.stderr
    assert "Traceback" not in state.stderr
    for args in (("projections", "rebuild"), ("projections", "rebuild", "--force")):
        result = invoke(*args)
        assert result.exit_code == 1, args
        assert f"l'evento alla posizione {broken} non è più leggibile" in result.stderr, args
    # nothing was dropped: the accounts, the read models and the evidence are still there
    assert json.loads(invoke("audit", "verify").stdout)["first_bad_position"] == broken
    runtime = Runtime(Settings.from_env())
    try:
        from server.directory import Directory

        assert runtime.projector.position() == runtime.event_position()
        assert Directory(runtime).authenticate("revisore@coprogramma.example", "coprogramma-demo") is not None
    finally:
        runtime.close()

    folder = tmp_path / "pacchetto"
    exported = invoke("audit", "export", "--output", str(folder))
    assert exported.exit_code == 1
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tampered"]["first_bad_position"] == broken
    assert manifest["not_written"][f"plans/{PLAN}.json"] == UNREADABLE  # its state needs the broken event
    assert not (folder / "plans" / f"{PLAN}.json").exists()
    assert manifest["not_written"][f"snapshots/{PLAN}-approval-1.json"] == UNREADABLE


def test_an_export_of_an_altered_log_certifies_nothing_after_the_alteration(instance, tmp_path):
    approved = json.loads(invoke("audit", "snapshot", PLAN, "--approved").stdout)
    alter(instance, approved["position"] - 2)  # still readable: the plan can be computed, not certified
    folder = tmp_path / "pacchetto"
    assert invoke("audit", "export", "--output", str(folder)).exit_code == 1
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tampered"]["first_bad_position"] == approved["position"] - 2
    for name in (f"plans/{PLAN}.json", f"snapshots/{PLAN}-approval-1.json"):
        assert manifest["not_written"][name] == (f"non certificabile: il registro è alterato dalla posizione "
                                                 f"{approved['position'] - 2}.")
        assert not (folder / name).exists()


def test_a_file_into_a_missing_folder_is_refused_before_any_work(instance, tmp_path):
    for args in (("audit", "history", PLAN), ("audit", "snapshot", PLAN), ("export", PLAN, "--format", "json")):
        result = invoke(*args, "-o", str(tmp_path / "manca" / "file.json"))
        assert result.exit_code == 2 and f"la cartella «{tmp_path / 'manca'}» non esiste." in result.stderr, args
    bundle = invoke("audit", "export", "-o", str(tmp_path / "manca" / "pacchetto"))
    assert bundle.exit_code == 2 and f"la cartella «{tmp_path / 'manca'}» non esiste." in bundle.stderr
    (tmp_path / "piena").mkdir()
    (tmp_path / "piena" / "altro.txt").write_text("x")
    full = invoke("audit", "export", "-o", str(tmp_path / "piena"))
    assert full.exit_code == 2 and f"la cartella «{tmp_path / 'piena'}» non è vuota." in full.stderr
    assert not (tmp_path / "manca").exists() and sorted(p.name for p in (tmp_path / "piena").iterdir()) == ["altro.txt"]


def test_verify_checks_a_head_published_earlier(instance):
    early = json.loads(invoke("audit", "verify").stdout)
    runtime = Runtime(Settings.from_env())
    try:
        load_demo(runtime)  # once only: nothing more happens; write one more event instead
        runtime.wait_for(runtime.app.register_organisation("nuova", "Nuova associazione", "ets", "system"))
    finally:
        runtime.close()
    good = invoke("audit", "verify", "--at", str(early["position"]), "--head", early["head"].upper())
    assert good.exit_code == 0 and json.loads(good.stdout)["published"]["matches"] is True
    assert f"La testa pubblicata alla posizione {early['position']} corrisponde." in good.stderr
    wrong = invoke("audit", "verify", "--at", str(early["position"] - 1), "--head", early["head"])
    assert wrong.exit_code == 1 and json.loads(wrong.stdout)["ok"] is False
    assert invoke("audit", "verify", "--at", "3").exit_code == 2
    assert invoke("audit", "verify", "--at", "3", "--head", "abc").exit_code == 2
    beyond = invoke("audit", "verify", "--at", "99999", "--head", early["head"])
    assert beyond.exit_code == 2 and "La posizione indicata non è nella catena" in beyond.stderr


@pytest.mark.parametrize("field, value", [("originator_id", "non-un-uuid"), ("state_base64", "%%%"),
                                          ("originator_version", None)])
def test_an_event_altered_past_reading_is_reported_at_its_position(bundle, field, value):
    target = 120
    rewrite_line(bundle / "events.jsonl", target, lambda entry: {**entry, field: value})
    code, report = offline(bundle)
    assert code == 1 and report["first_bad_position"] == target, report
    assert any(problem.startswith(f"posizione {target}: evento illeggibile") for problem in report["problems"])
