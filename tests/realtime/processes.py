"""Real processes for the live-update tests: an instance with people, `coprogramma serve` and
`coprogramma projector` subprocesses, `redis-server`, and real python-socketio clients."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import socketio

from server.application import SYSTEM
from server.config import Settings
from server.directory import Directory
from tests.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
PLAN, TAVOLO, OTHER = "piano-prova", "inclusione", "altro"


@dataclass
class Someone:
    id: str
    token: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


def prepare_instance(folder: Path, database_url: str | None = None) -> dict[str, Someone]:
    """A plan with two tavoli, two members of the first, one of the second, an admin; their tokens."""
    from server.runtime import Runtime

    runtime = Runtime(Settings.from_env({}, instance=folder, database_url=database_url, log_level="WARNING"))
    try:
        app, directory = runtime.app, Directory(runtime)
        app.register_organisation("caritas", "Caritas diocesana", "ets", SYSTEM)
        app.create_plan(PLAN, "Piano di Zona di prova", "Ambito di prova", 2025, 2027, SYSTEM)
        app.add_macro_area(PLAN, "A", "Contrasto alla povertà", [], SYSTEM)
        app.create_tavolo(PLAN, TAVOLO, "Tavolo Inclusione", ["A"], SYSTEM, organisations=["caritas"])
        app.create_tavolo(PLAN, OTHER, "Tavolo Altro", ["A"], SYSTEM)
        people = {}
        for n, (who, role, tavolo) in enumerate([("member", None, TAVOLO), ("colleague", None, TAVOLO),
                                                 ("other", None, OTHER), ("admin", "admin", None)]):
            user_id, _ = directory.create_user(f"{who}@prova.example", f"Persona {who}", "password-di-prova", SYSTEM,
                                               organisation="caritas" if tavolo == TAVOLO else None, role=role)
            if tavolo:
                app.set_tavolo_member(PLAN, tavolo, user_id, "member", SYSTEM)
            people[who] = Someone(user_id, directory.issue_token(user_id))
        runtime.wait_for(runtime.event_position())
        return people
    finally:
        runtime.close()


class Processes:
    """Starts subprocesses with logs in `folder`; stops each (by its pid) at the end."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env, self.started = folder, env, []

    def start(self, name: str, args: list[str], extra_env: dict | None = None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop)
        process = subprocess.Popen(args, cwd=ROOT, env={**self.env, **(extra_env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        process.log_file, process.name = log, name  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def serve(self, name: str, *, no_projector=False, extra_env: dict | None = None, wait: bool = True) -> str:
        """Starts `coprogramma serve` on a free port; its URL (`wait=False`: call `ready()` later)."""
        port = free_port()
        args = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)] + (["--no-projector"] if no_projector else [])
        process = self.start(name, args, extra_env)
        url = f"http://127.0.0.1:{port}"
        process.ready = lambda: requests.get(f"{url}/healthz", timeout=1).ok  # type: ignore[attr-defined]
        if wait:
            self.ready()
        return url

    def projector(self, name: str = "projector", wait: bool = True) -> subprocess.Popen:
        process = self.start(name, [sys.executable, "-m", "server.cli", "projector"])
        process.ready = lambda: b"Proiettore avviato" in (self.folder / f"{name}.log").read_bytes()  # type: ignore[attr-defined]
        if wait:
            self.ready()
        return process

    def ready(self) -> None:
        """Waits until every process started so far answers (they start in parallel)."""
        for process in self.started:
            if getattr(process, "ready", None):
                self.wait(process.ready, process)

    def redis(self) -> str:
        port = free_port()
        process = self.start("redis", [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no"])
        import redis

        self.wait(lambda: redis.Redis(port=port, socket_timeout=1).ping(), process)
        return f"redis://127.0.0.1:{port}/0"

    def wait(self, ready, process, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.name} exited ({process.returncode}):\n{self.output(process)}")
            try:
                if ready():
                    return
            except Exception:  # noqa: S110 (not up yet)
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{process.name} not ready after {timeout} s:\n{self.output(process)}")

    def output(self, process) -> str:
        return (self.folder / f"{process.name}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        for process in reversed(self.started):
            stop(process, timeout=5)
            process.log_file.close()


def base_env(instance: Path, database_url: str | None = None, message_queue: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPROGRAMMA_")}
    env.update(COPROGRAMMA_INSTANCE=str(instance), COPROGRAMMA_LOG_LEVEL="WARNING",
               COPROGRAMMA_SECRET_KEY="chiave-di-prova-dei-test", PYTHONUNBUFFERED="1")
    if database_url:
        env["COPROGRAMMA_DATABASE_URL"] = database_url
    if message_queue:
        env["COPROGRAMMA_MESSAGE_QUEUE"] = message_queue
    return env


@contextmanager
def processes(folder: Path, env: dict):
    running = Processes(folder, env)
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def live_clients(*targets: tuple[str, Someone]):
    """Real python-socketio clients (WebSocket), one per (server URL, person); disconnected together
    at the end (each disconnect waits up to 3 s for the WebSocket closing handshake)."""
    clients = []
    try:
        for url, person in targets:
            sio = socketio.SimpleClient()
            sio.connect(url, auth={"token": person.token}, transports=["websocket"], wait_timeout=10)
            clients.append(sio)
        yield clients
    finally:
        closing = [threading.Thread(target=sio.disconnect) for sio in clients]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join(timeout=10)


@contextmanager
def live_client(url: str, person: Someone):
    with live_clients((url, person)) as (sio,):
        yield sio


def next_message(sio, name: str, timeout: float = 10.0):
    """The next `name` message, skipping others (e.g. presence)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no {name!r} within {timeout} s")
        try:
            message = sio.receive(timeout=left)
        except socketio.exceptions.TimeoutError:
            raise TimeoutError(f"no {name!r} within {timeout} s") from None
        if message[0] == name:
            return message[1]


def nothing_more(sio, name: str = "event", wait: float = 0.5) -> bool:
    try:
        next_message(sio, name, timeout=wait)
    except TimeoutError:
        return True
    return False


def propose(url: str, person: Someone, tavolo: str, title: str) -> dict:
    response = requests.post(f"{url}/api/v1/plans/{PLAN}/tavoli/{tavolo}/proposals", headers=person.headers, timeout=30,
                             json={"kind": "new_objective", "macro_area": "A", "fields": {"title": title}})
    assert response.status_code == 201, response.text
    return response.json()
