"""Replay benchmark (not a test): a plan of 100 objectives with 100k realistic events.

    .venv/bin/python bench/replay.py [--events 100000] [--objectives 100] [--samples 200]
                                     [--database-url postgresql+psycopg://...] [--keep DIR]
                                     [--rebuilds 3] [--breakdown]

Generates, into a temporary instance, the Cremona demo plan widened to N objectives (the demo's
real objective cards, cycled) and a co-programming history: proposals on one or two fields (text,
list items, budget items, indicator targets), comments, supports, revisions, approvals (which
change the fields and reopen agreed objectives), rejections and withdrawals, and midway the plan's
approval. Events are saved in batches (one transaction per ~1000 events).

Reports: the append rate; the raw log scan rate (rows only, read as the projector reads them, and
rows decoded into events); the full rebuild rate of every read model (`Projector.rebuild`, in lanes
on a machine with more than one core: the median of --rebuilds uninstrumented runs, with the CPU
seconds of all its processes and, for each run, a speed check of the machine just before it: shared
machines vary by half from one minute to the next); optionally the time spent in each projection,
from one more rebuild, in one process and instrumented; and the latency of
GET /api/v1/plans/{key}/state?at= at random positions (p50/p95/max, through the Flask app).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

os.environ.setdefault("COPROGRAMMA_ARGON2_PROFILE", "CHEAPEST")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.application import SYSTEM  # noqa: E402
from server.config import Settings  # noqa: E402
from server.directory import Directory  # noqa: E402
from server.events.proposal import Proposal  # noqa: E402
from server.planformat import load_document  # noqa: E402
from server.replay.log import read_log  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "demo" / "cremona-2025-2027.json"
KEY = "bench-2025-2027"
TAVOLI = ["gdl-inclusione-attiva", "gdl-abitare", "gdl-non-autosufficienti", "gdl-disabilita", "gdl-minori-famiglie"]
ORGS = ["caritas", "coop-nazareth", "anffas", "il-cerchio", "asc"]


def document(objectives: int) -> bytes:
    doc = json.loads(DEMO.read_text(encoding="utf-8"))
    cards = doc["objectives"]
    doc["plan"]["key"] = KEY
    doc["objectives"] = []
    for n in range(objectives):
        card = dict(cards[n % len(cards)])
        card["ref"] = f"{card['ref']}-{n + 1}"
        card["title"] = f"{card['title']} ({n + 1})"
        if card.get("tavolo") not in TAVOLI:
            card["tavolo"] = TAVOLI[n % len(TAVOLI)]
        doc["objectives"].append(card)
    doc.pop("evaluations", None)  # they point at the demo's refs
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def setup(runtime, objectives: int):
    app, directory = runtime.app, Directory(runtime)
    app.register_organisation("asc", "Azienda Sociale Cremonese (ASC)", "azienda_consortile", SYSTEM)
    admin, _ = directory.create_user("admin@bench.example", "Amministratrice", "password-bench-1", SYSTEM,
                                     organisation="asc", role="admin")
    raw = document(objectives)
    app.import_plan(load_document(raw), "bench.json", hashlib.sha256(raw).hexdigest(), admin)
    seats: dict[str, dict] = {}
    for t, tavolo in enumerate(TAVOLI):
        people = []
        for i in range(5):
            org = ORGS[(t + i) % len(ORGS)]
            uid, _ = directory.create_user(f"p{t}-{i}@bench.example", f"Persona {t}-{i}", "password-bench-1", admin,
                                           organisation=org)
            app.set_tavolo_member(KEY, tavolo, uid, "coordinator" if i == 0 else "member", admin)
            people.append((uid, org))
        seats[tavolo] = {"coordinator": people[0], "members": people[1:]}
    app.set_plan_status(KEY, "co_programming", admin)
    return admin, seats


def change_for(objective, rng: random.Random) -> dict:
    fields, changes = objective.fields, {}
    for name in rng.sample(["expected_results", "actions", "budget", "indicators", "target"], rng.choice((1, 1, 2))):
        value = fields.get(name)
        if name == "expected_results":
            text = value or ""
            changes[name] = (text + f" Verifica n. {rng.randint(1, 999)}.") if len(text) < 1500 else "Risultato riformulato."
        elif name in ("actions", "target"):
            items = list(value or [])
            if items and rng.random() < 0.4:
                items[rng.randrange(len(items))] += " (rivisto)" if len(items) < 12 else ""
            elif len(items) < 12:
                items.insert(rng.randint(0, len(items)), f"Nuova voce {rng.randint(1, 9999)}")
            else:
                items.pop(rng.randrange(len(items)))
            changes[name] = items
        elif name == "budget":
            budget = dict(value or {"items": []})
            items = [dict(item) for item in budget.get("items", [])]
            if items and rng.random() < 0.7:
                items[rng.randrange(len(items))]["amount_eur"] = Decimal(rng.randint(1000, 500000)) / 100 * 100
            else:
                items.append({"label": f"Voce {rng.randint(1, 999)}", "amount_eur": Decimal("1000.50"), "source": "public"})
            budget["items"] = items[-15:]
            changes[name] = budget
        elif value:
            indicators = [dict(i) for i in value]
            chosen = indicators[rng.randrange(len(indicators))]
            chosen["targets"] = [{"year": 2027, "value": rng.randint(1, 500)}]
            changes[name] = indicators
    return changes


def generate(runtime, admin: str, seats: dict, target: int, rng: random.Random) -> tuple[int, float]:
    app = runtime.app
    plan = app.plan(KEY)
    objectives = [app.objective(plan, ref) for ref in plan.objectives]
    start, recorded, pending, approved = time.perf_counter(), 0, [], False
    while recorded < target:
        objective = rng.choice(objectives)
        tavolo = seats[objective.tavolo]
        (author, org), coordinator = rng.choice(tavolo["members"]), tavolo["coordinator"][0]
        changes = change_for(objective, rng)
        proposal = Proposal(id=uuid4(), plan_key=KEY, tavolo=objective.tavolo, kind="amendment",
                            objective_id=str(objective.id), macro_area=None, base_version=objective.version,
                            changes=changes, base_values={k: objective.fields.get(k) for k in changes},
                            rationale="Proposta del tavolo", author=author, organisation=org)
        others = [m for m in tavolo["members"] if m[0] != author]
        for who, who_org in rng.sample(others, rng.randint(0, 3)):
            proposal.comment(comment_id=str(uuid4()), text="Osservazione sul testo proposto.", actor=who,
                             organisation=who_org)
        for who, who_org in rng.sample(others, rng.randint(0, 2)):
            proposal.support(who, who_org)
        if rng.random() < 0.1:
            proposal.revise(objective.version, changes, proposal.base_values, "Rivista dopo la discussione", author)
        roll = rng.random()
        if roll < 0.6:
            proposal.decide("approve", "Condivisa dal tavolo", coordinator)
            objective.change_fields(changes, proposal.base_version, coordinator, proposal_id=str(proposal.id))
            objective.reopen_after_change(coordinator)
        elif roll < 0.85:
            proposal.decide("reject", "Non condivisa", coordinator)
        elif roll < 0.95:
            proposal.withdraw(author)
        pending.append(proposal)
        if not approved and recorded > target // 2:  # the Assemblea approves midway; proposals go on
            plan.move_to("validation", admin)
            plan.approve("assemblea_dei_sindaci", "Delibera n. 12", "2025-03-14", admin)
            for each in objectives:
                each.approve_with_plan(admin)
            pending.append(plan)
            approved = True
        if sum(len(a.pending_events) for a in pending) + sum(len(o.pending_events) for o in objectives) >= 1000:
            recorded += _save(app, pending, objectives)
    recorded += _save(app, pending, objectives)
    return recorded, time.perf_counter() - start


def _save(app, pending: list, objectives: list) -> int:
    dirty = [*pending, *(o for o in objectives if o.pending_events)]
    count = sum(len(a.pending_events) for a in dirty)
    if count:
        app.save(*dirty)
    pending.clear()
    return count


def _plan_created(runtime) -> int:
    from server.events.ids import plan_id

    for notification in runtime.app.recorder.select_notifications(start=1, limit=1000):
        if notification.originator_id == plan_id(KEY):
            return notification.id
    raise LookupError("the benchmark plan is not in this instance")


def scan(runtime, decode: bool) -> tuple[int, float]:
    """The log read as the projector reads it (rows only), or each row decoded into its domain event."""
    app, last, count, start = runtime.app, 0, 0, time.perf_counter()
    while True:
        rows = read_log(app, last, 5000)
        if not rows:
            return count, time.perf_counter() - start
        if decode:
            for row in rows:
                app.mapper.to_domain_event(row)
        count, last = count + len(rows), rows[-1].id


def speed_check() -> float:
    """Milliseconds for a fixed piece of Python work: this machine's speed varies by half from one minute
    to the next (other tenants), so each rebuild's figure is given with the speed it met."""
    start = time.perf_counter()
    data = json.dumps([{"n": i, "s": str(i) * 5} for i in range(2000)])
    for _ in range(40):
        json.loads(data)
        sorted(range(20000), key=lambda x: -x)
    return round((time.perf_counter() - start) * 1000)


def rebuild(runtime) -> tuple[int, float, float, int]:
    """One full rebuild, uninstrumented: (events applied, seconds, CPU seconds of all its processes,
    the speed check just before)."""
    checked = speed_check()
    start, cpu = time.perf_counter(), _cpu()
    applied = runtime.projector.rebuild()
    return applied, time.perf_counter() - start, _cpu() - cpu, checked


def _cpu() -> float:
    """CPU seconds of this process and of its children (the rebuild's lanes) so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rebuild_breakdown(runtime) -> dict[str, float]:
    """Seconds in each projection's handlers during one more rebuild, in one process and instrumented
    (the timing wrappers slow it down: only the shares are meaningful, not the sum)."""
    spent: dict[str, float] = defaultdict(float)
    for projection in runtime.projector.projections:
        original = projection.applier

        def applier(event_class, _original=original, _name=projection.name):
            handler = _original(event_class)
            if handler is None:
                return None

            def timed(*args):
                t = time.perf_counter()
                handler(*args)
                spent[_name] += time.perf_counter() - t

            return timed

        projection.applier = applier
    try:
        runtime.projector.rebuild(lanes=False)
    finally:
        for projection in runtime.projector.projections:
            del projection.applier
    return {name: round(seconds, 2) for name, seconds in spent.items()}


def state_latency(settings, head: int, first: int, samples: int, rng: random.Random) -> list[float]:
    from server.factory import create_app

    app = create_app(settings, start_projector=False, config={"TESTING": True})
    client, times = app.test_client(), []
    try:
        for _ in range(samples):
            position = rng.randint(first, head)
            t = time.perf_counter()
            response = client.get(f"/api/v1/plans/{KEY}/state?at={position}")
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
    finally:
        app.extensions["coprogramma"].close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--objectives", type=int, default=100)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", type=Path, default=None,
                        help="Instance folder to keep (default: a temp one); if it holds events, they are reused")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="Checkpoint interval (positions)")
    parser.add_argument("--rebuilds", type=int, default=3, help="Full rebuilds to time (the median is reported)")
    parser.add_argument("--breakdown", action="store_true",
                        help="One more, instrumented rebuild: seconds in each projection's apply")
    args = parser.parse_args()
    from server.runtime import Runtime

    rng = random.Random(args.seed)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="coprogramma-bench-"))
    settings = Settings.from_env({}, instance=folder, database_url=args.database_url, log_level="WARNING")
    runtime = Runtime(settings)
    checkpoints = next(p for p in runtime.projector.projections if p.name == "checkpoints")
    checkpoints.every = args.checkpoint_every or checkpoints.every
    report = {"store": "postgresql" if settings.is_postgres else "sqlite", "checkpoint_every": checkpoints.every}
    if runtime.event_position() == 0:
        admin, seats = setup(runtime, args.objectives)
        generated, seconds = generate(runtime, admin, seats, args.events, rng)
        report["append_events_per_s"] = round(generated / seconds)
    head = runtime.event_position()
    first = _plan_created(runtime)
    report["events"] = head
    for decode in (False, True):
        count, spent = scan(runtime, decode)
        report["scan_decoded_events_per_s" if decode else "scan_rows_per_s"] = round(count / spent)
    runs = [rebuild(runtime) for _ in range(args.rebuilds)]
    applied, spent, cpu, _ = sorted(runs, key=lambda run: run[1])[len(runs) // 2]  # the median run
    report.update(rebuild_events_per_s=round(applied / spent), rebuild_seconds=round(spent, 2),
                  rebuild_cpu_seconds=round(cpu, 1), rebuild_seconds_each=[round(run[1], 2) for run in runs],
                  speed_check_ms_each=[run[3] for run in runs])
    if args.breakdown:
        report["rebuild_apply_seconds_by_projection"] = rebuild_breakdown(runtime)
    runtime.close()
    times = state_latency(settings, head, first, args.samples, rng)
    with Runtime(settings).sessions() as session:
        from server.projections.checkpoints import CheckpointRow
        from sqlalchemy import func, select

        report["checkpoints"] = session.scalar(select(func.count()).select_from(CheckpointRow))
    report.update(load_average=os.getloadavg()[0], state_at_ms={"p50": round(statistics.median(times), 1),
                               "p95": round(statistics.quantiles(times, n=20)[-1], 1), "max": round(max(times), 1)},
                  instance=str(folder))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
