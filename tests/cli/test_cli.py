"""The `coprogramma` command as an operator uses it, against a real instance folder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.config import Settings
from server.runtime import Runtime
from tests.processes import free_port, stop
from tests.projections.test_projector import dump_read_models


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_users_create_prints_the_new_id_and_the_user_can_sign_in(cli_instance):
    assert invoke("organisations", "create", "--key", "caritas", "--name", "Caritas", "--kind", "ets").exit_code == 0
    result = invoke("users", "create", "--email", "Anna@Example.org", "--name", "Anna", "--password",
                    "una-password-lunga", "--role", "admin", "--organisation", "caritas")
    assert result.exit_code == 0
    user_id = result.output.strip()
    runtime = Runtime(Settings.from_env())
    try:
        from server.directory import Directory

        principal = Directory(runtime).authenticate("anna@example.org", "una-password-lunga")
        assert principal.id == user_id and principal.is_admin and principal.organisation == "caritas"
    finally:
        runtime.close()


def test_users_create_refuses_bad_input_in_italian_and_records_nothing(cli_instance):
    result = invoke("users", "create", "--email", "a@b.it", "--name", "A", "--password", "corta")
    assert result.exit_code == 2 and "password" in result.output and "almeno 10 caratteri" in result.output
    result = invoke("users", "create", "--email", "a@b.it", "--name", "A", "--password", "abbastanza-lunga",
                    "--organisation", "inesistente")
    assert result.exit_code == 2 and "organisation" in result.output
    result = invoke("users", "create", "--email", "non-un-indirizzo", "--name", "A", "--password", "abbastanza-lunga")
    assert result.exit_code == 2 and "email: Indirizzo e-mail non valido." in result.stderr
    result = invoke("users", "create", "--email", "b@b.it", "--name", "  ", "--password", "abbastanza-lunga")
    assert result.exit_code == 2 and "name: Campo obbligatorio" in result.stderr
    runtime = Runtime(Settings.from_env())
    try:
        assert runtime.event_position() == 0
        from server.directory import Directory

        assert Directory(runtime).authenticate("a@b.it", "abbastanza-lunga") is None
    finally:
        runtime.close()


def test_the_console_speaks_italian_also_where_click_speaks(cli_instance):
    helped = invoke("audit", "snapshot", "--help")
    assert helped.exit_code == 0 and helped.stdout.startswith("Uso: ") and "audit snapshot [OPTIONS] PLAN" in helped.stdout
    assert "Opzioni:" in helped.stdout and "Mostra questo aiuto ed esce." in helped.stdout
    for args, said in ((("audit", "snapshot"), "Errore: Manca l'argomento 'PLAN'."),
                       (("audit", "verify", "--at", "x"), "Errore: Valore non valido per '--at': 'x' non è un numero valido."),
                       (("nessuno",), "Errore: Comando inesistente: 'nessuno'."),
                       (("users", "create", "--email", "a@b.it"), "Errore: Manca l'opzione '--name'."),
                       (("demo", "in-più"), "Errore: Argomento in più non previsto (in-più)")):
        result = invoke(*args)
        assert result.exit_code == 2 and said in result.stderr, (args, result.stderr)
        assert "Per l'aiuto: '" in result.stderr and "Usage" not in result.stderr


def test_serve_on_a_port_in_use_says_so_before_starting(cli_instance):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("serve", "--port", str(port))
    assert result.exit_code == 1 and "in ascolto" not in result.output
    assert f"Errore: impossibile ascoltare su 127.0.0.1:{port} (porta già in uso)" in result.stderr


def test_demo_loads_once_and_rebuild_reproduces_identical_read_models(cli_instance):
    first = invoke("demo")
    assert first.exit_code == 0 and "ufficio.piano@coprogramma.example" in first.output
    assert "già caricati" in invoke("demo").output
    runtime = Runtime(Settings.from_env())
    before = dump_read_models(runtime)
    runtime.close()
    result = invoke("projections", "rebuild")
    assert result.exit_code == 0 and "eventi applicati" in result.output
    runtime = Runtime(Settings.from_env())
    try:
        assert dump_read_models(runtime) == before
        assert {row[0] for row in before["rm_plans"]} == {"cremona-2025-2027", "crema-2025-2027"}
    finally:
        runtime.close()


def test_serve_starts_without_demo_data_and_a_new_user_can_log_in(cli_instance):
    invoke("users", "create", "--email", "nuova@example.org", "--name", "Nuova", "--password", "password-sicura")
    port = free_port()
    env = {**os.environ, "COPROGRAMMA_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                health = json.load(urllib.request.urlopen(f"{base}/healthz", timeout=1))
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start")
        assert health["ok"] and health["position"] == health["projection_position"]
        assert json.load(urllib.request.urlopen(f"{base}/api/v1/plans")) == []  # no demo by itself
        request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                         data=json.dumps({"email": "nuova@example.org", "password": "password-sicura"}).encode(),
                                         headers={"Content-Type": "application/json"})
        answer = json.load(urllib.request.urlopen(request))
        assert answer["user"]["name"] == "Nuova" and answer["token"]
        assert (Path(cli_instance) / "secret_key").exists()  # generated once, kept in the instance
    finally:
        stop(server)
