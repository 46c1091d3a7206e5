"""Real servers on free ports and real Socket.IO clients (python-socketio; web/static/js/live.js on node).

- one `coprogramma serve` (the embedded default): an HTTP write reaches every subscribed client
  with its position, and a client that reads the API on receipt sees the change;
- the same with COPROGRAMMA_ASYNC_MODE=gevent (the documented option for many sockets);
- several processes: redis-server, two `serve --no-projector` and one `coprogramma projector`
  on one instance (PostgreSQL when COPROGRAMMA_TEST_POSTGRES_URL is set, else SQLite): a write
  through process A reaches a client of process B, and presence spans both.
"""
from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from contextlib import nullcontext

import pytest
import requests

from server.realtime.assets import DIST
from tests.conftest import PG_URL, postgres_database
from tests.realtime.processes import (OTHER, PLAN, ROOT, TAVOLO, base_env, live_client, live_clients, next_message,
                                      nothing_more, prepare_instance, processes, propose)


def subscribe(sio, tavolo=None) -> dict:
    return sio.call("subscribe", {"plan": PLAN} if tavolo is None else {"plan": PLAN, "tavolo": tavolo}, timeout=10)


def check_write_reaches_everyone(url_write: str, url_read: str, people: dict) -> None:
    """member, colleague (tavolo), admin (plan) receive the write of `member`; `other` receives nothing."""
    names = ("member", "colleague", "admin", "other")
    with live_clients(*((url_read, people[who]) for who in names)) as opened:
        clients = dict(zip(names, opened))
        for who, tavolo in (("member", TAVOLO), ("colleague", TAVOLO), ("admin", None), ("other", OTHER)):
            assert subscribe(clients[who], tavolo)["ok"], who
        written = propose(url_write, people["member"], TAVOLO, "Sportello unico")
        for who in ("member", "colleague", "admin"):
            event = next_message(clients[who], "event")
            assert (event["position"], event["proposal_id"], event["type"]) == (written["position"], written["id"], "Proposal.Created")
            seen = requests.get(f"{url_read}/api/v1/proposals/{written['id']}", headers=people[who].headers, timeout=10)
            assert seen.status_code == 200, (who, seen.text)  # on receipt, the API already shows it
            assert seen.json()["changes"] == {"title": "Sportello unico"}
        assert nothing_more(clients["other"])


def test_an_http_write_reaches_every_subscribed_client_and_the_api_shows_it(tmp_path):
    folder = tmp_path / "instance"
    people = prepare_instance(folder)
    with processes(tmp_path, base_env(folder)) as run:
        url = run.serve("serve")
        check_write_reaches_everyone(url, url, people)
        with live_client(url, people["member"]) as sio:  # positions keep increasing, one event each
            subscribe(sio, TAVOLO)
            written = [propose(url, people["colleague"], TAVOLO, f"Obiettivo {n}")["position"] for n in range(5)]
            assert [next_message(sio, "event")["position"] for _ in written] == written
            assert nothing_more(sio, wait=0.3)


def test_the_gevent_option_serves_the_same(tmp_path):
    pytest.importorskip("gevent", reason="gevent is the optional async mode (pip install -e '.[gevent]')")
    folder = tmp_path / "instance"
    people = prepare_instance(folder)
    with processes(tmp_path, base_env(folder)) as run:
        url = run.serve("serve-gevent", extra_env={"COPROGRAMMA_ASYNC_MODE": "gevent"})
        assert "Socket.IO: gevent" in run.output(run.started[-1])
        check_write_reaches_everyone(url, url, people)


def test_reconnecting_while_writes_go_on_nothing_missing_nothing_twice(tmp_path):
    """A member reconnects while a colleague keeps writing: with subscribe then catch_up nothing is
    received twice; with subscribe's `after`, one stream strictly in position order."""
    folder = tmp_path / "instance"
    people = prepare_instance(folder)
    with processes(tmp_path, base_env(folder)) as run:
        url = run.serve("serve")
        start = propose(url, people["member"], TAVOLO, "Ultimo visto")["position"]
        written: list[int] = []
        writer = threading.Thread(target=lambda: written.extend(
            propose(url, people["colleague"], TAVOLO, f"Scritto durante il recupero {n}")["position"] for n in range(60)))
        writer.start()
        try:
            with live_clients((url, people["member"]), (url, people["member"])) as (two_steps, one_stream):
                while len(written) < 10:
                    time.sleep(0.01)
                assert subscribe(two_steps, TAVOLO)["ok"]
                assert two_steps.call("catch_up", {"plan": PLAN, "after": start}, timeout=10)["more"] is False
                assert one_stream.call("subscribe", {"plan": PLAN, "tavolo": TAVOLO, "after": start}, timeout=10)["ok"]
                writer.join(timeout=60)
                got = {sio: [] for sio in (two_steps, one_stream)}
                for sio, positions in got.items():
                    while len(positions) < len(written):
                        positions.append(next_message(sio, "event")["position"])
                    assert nothing_more(sio, wait=0.5)
        finally:
            writer.join(timeout=60)
        assert len(written) == 60
        assert sorted(got[two_steps]) == written  # each once (live ones interleave with the catch-up)
        assert got[one_stream] == written  # in order


@pytest.mark.multiprocess
def test_a_write_through_process_a_reaches_a_client_of_process_b(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not installed (Debian package redis-server; .ci/run installs it)")
    with postgres_database() if PG_URL else nullcontext(None) as database_url:
        folder = tmp_path / "instance"
        people = prepare_instance(folder, database_url)
        with processes(tmp_path, base_env(folder, database_url)) as run:
            queue_url = run.redis()
            run.env["COPROGRAMMA_MESSAGE_QUEUE"] = queue_url
            a = run.serve("serve-a", no_projector=True, wait=False)
            b = run.serve("serve-b", no_projector=True, wait=False)
            run.projector(wait=False)
            run.ready()
            check_write_reaches_everyone(a, b, people)
            check_write_reaches_everyone(b, a, people)

            with live_clients((a, people["member"]), (b, people["colleague"])) as (on_a, on_b):
                subscribe(on_a, TAVOLO)
                subscribe(on_b, TAVOLO)
                names = {u["name"] for u in next_message(on_b, "presence")["users"]}
                deadline = time.monotonic() + 5
                while names != {"Persona member", "Persona colleague"} and time.monotonic() < deadline:
                    names = {u["name"] for u in next_message(on_b, "presence")["users"]}
                assert names == {"Persona member", "Persona colleague"}  # presence spans the processes
                assert on_a.call("editing", {"plan": PLAN, "tavolo": TAVOLO, "objective_ref": "A.1"}, timeout=10)["ok"]
                refused = on_b.call("editing", {"plan": PLAN, "tavolo": TAVOLO, "objective_ref": "A.1"}, timeout=10)
                assert refused["ok"] is False and "Persona member" in refused["error"]


# -- web/static/js/live.js, on node, against a real server -------------------------------------------
HOOKS = """
export async function resolve(specifier, context, next) {
  if (specifier === "/vendor/socket.io-client/socket.io.esm.min.js") {
    return next("socket.io-client", { ...context, parentURL: %(web)s });
  }
  return next(specifier, context);
}
"""
HARNESS = """
import { register } from "node:module";
import { createInterface } from "node:readline";
register(%(hooks)s);
const { connectLive } = await import(%(live)s);
const [url, token, plan, tavolo, position] = process.argv.slice(2);
const target = new EventTarget();
const say = (message) => console.log(JSON.stringify(message));
for (const kind of ["event", "status", "refused"]) {
  target.addEventListener(`coprogramma:${kind}`, (e) => say({ kind, ...e.detail }));
}
const live = connectLive({ url, token, target, subscriptions: [{ plan, tavolo }], positions: { [plan]: Number(position) } });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "disconnect") live.socket.disconnect();
  if (line === "connect") live.socket.connect();
  if (line === "quit") { live.close(); process.exit(0); }
}
"""


def test_live_js_catches_up_after_a_reconnect_nothing_missing_nothing_twice(tmp_path):
    node = shutil.which("node")
    if node is None or not (DIST / "socket.io.esm.min.js").is_file():
        pytest.skip("node or web/node_modules missing (make setup runs npm ci in web/ when node is installed)")
    (tmp_path / "hooks.mjs").write_text(HOOKS % {"web": json.dumps((ROOT / "web" / "package.json").as_uri())})
    (tmp_path / "harness.mjs").write_text(HARNESS % {
        "hooks": json.dumps((tmp_path / "hooks.mjs").as_uri()),
        "live": json.dumps((ROOT / "web" / "static" / "js" / "live.js").as_uri())})
    folder = tmp_path / "instance"
    people = prepare_instance(folder)
    with processes(tmp_path, base_env(folder)) as run:
        url = run.serve("serve")
        start = requests.get(f"{url}/api/v1/plans/{PLAN}/history?limit=1000", headers=people["admin"].headers,
                             timeout=10).json()["events"][-1]["position"]
        browser = subprocess.Popen([node, str(tmp_path / "harness.mjs"), url, people["member"].token, PLAN, TAVOLO,
                                    str(start)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT / "web")
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(json.loads(line)) for line in browser.stdout], daemon=True).start()

        def expect(kind: str, timeout: float = 10.0, **match) -> dict:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    message = lines.get(timeout=deadline - time.monotonic())
                except queue.Empty:
                    break
                seen.append(message)
                if message["kind"] == kind and all(message.get(k) == v for k, v in match.items()):
                    return message
            raise AssertionError(f"no {kind} {match} from live.js; got {seen}")

        def command(line: str) -> None:
            browser.stdin.write(line + "\n")
            browser.stdin.flush()

        seen: list = []
        try:
            expect("status", state="connected")
            mine = [propose(url, people["member"], TAVOLO, "In linea")["position"]]
            expect("event", position=mine[0])
            command("disconnect")
            expect("status", state="disconnected")
            mine += [propose(url, people["colleague"], TAVOLO, f"Mentre ero via {n}")["position"] for n in range(2)]
            propose(url, people["other"], OTHER, "Non mio")
            command("connect")  # and writes go on while it catches up
            mine += [propose(url, people["colleague"], TAVOLO, f"Durante il recupero {n}")["position"] for n in range(3)]
            expect("event", position=mine[-1])
            time.sleep(0.5)
            while not lines.empty():
                seen.append(lines.get())
            got = [m["position"] for m in seen if m["kind"] == "event"]
            assert got == mine, seen  # in order, nothing missing, nothing twice, nothing of the other tavolo
            command("quit")
            browser.wait(timeout=5)
        finally:
            if browser.poll() is None:
                browser.kill()
                browser.wait(timeout=5)
