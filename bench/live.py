"""Live-update fan-out benchmark (not a test): N Socket.IO clients in one tavolo, M HTTP writes.

    .venv/bin/python bench/live.py                       # 200 clients, 30 writes, embedded default
    .venv/bin/python bench/live.py --async-mode gevent   # the documented option for many sockets
    .venv/bin/python bench/live.py --clients 50 --writes 10 --burst 0

Starts `coprogramma serve` (threading unless --async-mode gevent) on a free port with a fresh
SQLite instance in a temporary folder, creates one person per client (all members of the tavolo),
connects N asyncio python-socketio clients over WebSocket, subscribes them to the tavolo, then:

1. latency: M writes (POST a proposal), one every --interval seconds; for each write and each
   client, the time from the write's HTTP response to the `event` at the client (negative when
   the event arrives before the response: the projector runs before the API answers), and from
   the request being sent;
2. throughput: --burst writes back to back; deliveries/s = clients x writes / time from the
   first request to the last delivery.

Reports p50/p95/p99, deliveries/s, the server's RSS (idle, with the clients, peak), and the load
of the machine. The clients run on the same machine as the server (pessimistic on 2 cores).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COPROGRAMMA_ARGON2_PROFILE", "CHEAPEST")  # set-up only: many accounts quickly

import aiohttp  # noqa: E402
import psutil  # noqa: E402
import socketio  # noqa: E402

from tests.processes import free_port, stop  # noqa: E402

PLAN, TAVOLO = "piano-bench", "inclusione"


def prepare(folder: Path, clients: int) -> list[str]:
    """A plan, a tavolo, one member per client; their bearer tokens."""
    from server.application import SYSTEM
    from server.config import Settings
    from server.directory import Directory
    from server.runtime import Runtime

    runtime = Runtime(Settings.from_env({}, instance=folder, log_level="WARNING"))
    app, directory = runtime.app, Directory(runtime)
    app.create_plan(PLAN, "Piano di prova del benchmark", "Ambito", 2025, 2027, SYSTEM)
    app.add_macro_area(PLAN, "A", "Contrasto alla povertà", [], SYSTEM)
    app.create_tavolo(PLAN, TAVOLO, "Tavolo Inclusione", ["A"], SYSTEM)
    tokens = []
    for n in range(clients):
        user_id, _ = directory.create_user(f"persona{n}@bench.example", f"Persona {n}", "password-del-bench", SYSTEM)
        app.set_tavolo_member(PLAN, TAVOLO, user_id, "member", SYSTEM)
        tokens.append(directory.issue_token(user_id))
    runtime.wait_for(runtime.event_position())
    runtime.close()
    return tokens


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (f"p50 {percentile(values, 50):7.1f} ms   p95 {percentile(values, 95):7.1f} ms   "
            f"p99 {percentile(values, 99):7.1f} ms   max {max(values):7.1f} ms")


class Bench:
    def __init__(self, url: str, tokens: list[str], server: psutil.Process):
        self.url, self.tokens, self.server = url, tokens, server
        self.received: dict[int, list[float]] = {}  # position -> receipt times
        self.clients: list[socketio.AsyncClient] = []
        self.peak_rss = 0
        self.waiters: dict[int, asyncio.Event] = {}
        self.disconnected = 0  # clients the server dropped during the run (e.g. missed pings)
        self.reasons: dict[str, int] = {}

    def expected(self) -> int:
        """Deliveries to wait for: one per client still connected."""
        return len(self.tokens) - self.disconnected

    def sample_rss(self) -> int:
        rss = self.server.memory_info().rss
        self.peak_rss = max(self.peak_rss, rss)
        return rss

    async def connect(self, token: str) -> None:
        client = socketio.AsyncClient(reconnection=False)

        @client.on("disconnect")
        async def on_disconnect(reason=None):
            self.disconnected += 1
            self.reasons[str(reason)] = self.reasons.get(str(reason), 0) + 1

        @client.on("event")
        async def on_event(event):
            times = self.received.setdefault(event["position"], [])
            times.append(time.perf_counter())
            if len(times) >= self.expected() and event["position"] in self.waiters:
                self.waiters[event["position"]].set()

        self.clients.append(client)
        await asyncio.wait_for(client.connect(self.url, auth={"token": token}, transports=["websocket"],
                                              wait_timeout=30), timeout=60)
        ack = await client.call("subscribe", {"plan": PLAN, "tavolo": TAVOLO}, timeout=30)
        assert ack["ok"], ack

    async def connect_all(self, batch: int = 20) -> float:
        started = time.perf_counter()
        for i in range(0, len(self.tokens), batch):
            await asyncio.gather(*(self.connect(t) for t in self.tokens[i:i + batch]))
        return time.perf_counter() - started

    async def write(self, http: aiohttp.ClientSession, n: int) -> tuple[int, float, float]:
        sent = time.perf_counter()
        async with http.post(f"{self.url}/api/v1/plans/{PLAN}/tavoli/{TAVOLO}/proposals",
                             json={"kind": "new_objective", "macro_area": "A", "fields": {"title": f"Obiettivo {n}"}},
                             headers={"Authorization": f"Bearer {self.tokens[0]}"}) as response:
            body = await response.json()
            answered = time.perf_counter()
        assert response.status == 201, body
        return body["position"], sent, answered

    async def latency(self, writes: int, interval: float) -> tuple[list[float], list[float], int]:
        from_response, from_request, missing = [], [], 0
        async with aiohttp.ClientSession() as http:
            for n in range(writes):
                position, sent, answered = await self._write_and_wait(http, n)
                times = self.received.get(position, [])
                missing += len(self.tokens) - len(times)
                from_response += [(t - answered) * 1000 for t in times]
                from_request += [(t - sent) * 1000 for t in times]
                self.sample_rss()
                await asyncio.sleep(interval)
        return from_response, from_request, missing

    async def _write_and_wait(self, http, n: int):
        write = asyncio.ensure_future(self.write(http, n))
        position, sent, answered = await write
        waiter = self.waiters.setdefault(position, asyncio.Event())
        if len(self.received.get(position, [])) < self.expected():
            try:
                await asyncio.wait_for(waiter.wait(), timeout=10)
            except asyncio.TimeoutError:
                pass
        return position, sent, answered

    async def burst(self, writes: int) -> tuple[float, int]:
        if writes == 0:
            return 0.0, 0
        async with aiohttp.ClientSession() as http:
            started = time.perf_counter()
            positions = []
            for n in range(writes):
                position, _, _ = await self.write(http, 10_000 + n)
                positions.append(position)
                self.waiters.setdefault(position, asyncio.Event())
                self.sample_rss()
            for position in positions:
                if len(self.received.get(position, [])) < self.expected():
                    try:
                        await asyncio.wait_for(self.waiters[position].wait(), timeout=10)
                    except asyncio.TimeoutError:
                        pass
            last = max((max(self.received.get(p, [started])) for p in positions), default=started)
            delivered = sum(len(self.received.get(p, [])) for p in positions)
        return delivered / (last - started), delivered

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


async def run(args, url: str, tokens: list[str], server: psutil.Process) -> None:
    bench = Bench(url, tokens, server)
    idle = bench.sample_rss()
    progress(f"connecting {len(tokens)} clients ...")
    connect_seconds = await bench.connect_all()
    progress(f"connected in {connect_seconds:.1f} s; latency phase ...")
    await asyncio.sleep(1)
    connected = bench.sample_rss()
    from_response, from_request, missing = await bench.latency(args.writes, args.interval)
    progress("throughput phase ..." if args.burst else "done")
    rate, delivered = await bench.burst(args.burst)
    dropped = bench.disconnected
    if dropped:
        progress(f"dropped: {bench.reasons}")
    await bench.close()
    load = os.getloadavg()
    mb = 1024 * 1024
    print(f"\nserver: coprogramma serve, async_mode={args.async_mode}, SQLite; {len(tokens)} clients "
          f"(python-socketio AsyncClient, websocket) on the same machine; {os.cpu_count()} CPUs; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"connect + subscribe all clients: {connect_seconds:.1f} s; clients dropped during the run: {dropped}")
    print(f"latency, {args.writes} writes x {len(tokens)} clients = {len(from_response)} deliveries, {missing} missing")
    print(f"  HTTP response -> event at client:  {summary(from_response)}")
    print(f"  HTTP request sent -> event:        {summary(from_request)}")
    if args.burst:
        print(f"throughput, {args.burst} writes back to back: {delivered} deliveries, {rate:,.0f} deliveries/s")
    print(f"server RSS: idle {idle / mb:.0f} MiB, {len(tokens)} clients {connected / mb:.0f} MiB, "
          f"peak {bench.peak_rss / mb:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--writes", type=int, default=30, help="writes of the latency phase")
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between latency writes")
    parser.add_argument("--burst", type=int, default=30, help="writes of the throughput phase (0: none)")
    parser.add_argument("--async-mode", choices=["threading", "gevent"], default="threading")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="coprogramma-bench-") as tmp:
        folder = Path(tmp) / "instance"
        progress(f"preparing {args.clients} people in {folder} ...")
        tokens = prepare(folder, args.clients)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("COPROGRAMMA_")}
        env.update(COPROGRAMMA_INSTANCE=str(folder), COPROGRAMMA_LOG_LEVEL="WARNING",
                   COPROGRAMMA_ASYNC_MODE=args.async_mode)
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            asyncio.run(wait_up(url, process))
            asyncio.run(run(args, url, tokens, psutil.Process(process.pid)))
        finally:
            stop(process)
            log.close()
            if process.returncode not in (0, -15):
                print((Path(tmp) / "server.log").read_text()[-3000:])


async def wait_up(url: str, process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise SystemExit("the server exited")
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
