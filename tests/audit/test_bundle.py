"""The auditor's console: `coprogramma audit ...`, and the offline bundle verifier (standard library
only, run as a plain script in an isolated interpreter)."""
from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.config import Settings
from server.demo import PLAN, load_demo
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
    code, _ = offline(tmp_path / "inesistente")
    assert code == 2


def test_the_console_verifies_the_store_and_finds_an_edited_row(instance):
    result = invoke("audit", "verify")
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["ok"] and report["first_bad_position"] is None
    with sqlite3.connect(instance / "events.sqlite3") as conn:
        conn.execute("UPDATE stored_events SET state = state || ' ' WHERE rowid = 42")
    result = invoke("audit", "verify")
    assert result.exit_code == 1 and json.loads(result.output)["first_bad_position"] == 42


def test_the_console_answers_state_diff_provenance_and_the_certified_snapshot(instance, tmp_path):
    snapshot = json.loads(invoke("audit", "snapshot", PLAN, "--approved").output)
    assert snapshot["approval"]["act"].startswith("Delibera n. 12") and snapshot["state"]["status"] == "approved"
    position = snapshot["position"]
    state = json.loads(invoke("audit", "state", PLAN, "--at", str(position)).output)
    assert {k: v for k, v in state.items() if k != "position"} == snapshot["state"]
    diff = json.loads(invoke("audit", "diff", PLAN, "--from", str(position - 30), "--to", str(position)).output)
    assert diff["plan"]["status"]["after"] == "approved" and diff["objectives"]["changed"]
    fields = json.loads(invoke("audit", "provenance", PLAN, "A-Ob1").output)["fields"]
    assert fields["target"]["proposed_by"]["name"] == "Luca Galli"
    assert fields["target"]["decided_by"]["name"] == "Marco Bianchi"
    assert fields["expected_results"]["proposed_by"]["name"] == "Chiara Moretti"  # revised after a conflict
    assert [h["proposed_by"]["name"] for h in fields["expected_results"]["history"]] == ["Giulia Ferrari", "Paolo Ricci"]
    output = tmp_path / "certificata.json"
    assert invoke("audit", "snapshot", PLAN, "--at", str(position), "--output", str(output)).exit_code == 0
    assert json.loads(output.read_text())["state"] == snapshot["state"]
    bad = invoke("audit", "state", PLAN, "--at", "999999")
    assert bad.exit_code == 2 and "Posizione non valida" in bad.output


@pytest.mark.parametrize("field, value", [("originator_id", "non-un-uuid"), ("state_base64", "%%%"),
                                          ("originator_version", None)])
def test_an_event_altered_past_reading_is_reported_at_its_position(bundle, field, value):
    target = 120
    rewrite_line(bundle / "events.jsonl", target, lambda entry: {**entry, field: value})
    code, report = offline(bundle)
    assert code == 1 and report["first_bad_position"] == target, report
    assert any(problem.startswith(f"posizione {target}: evento illeggibile") for problem in report["problems"])
