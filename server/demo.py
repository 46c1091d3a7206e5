"""Demo data: the Cremona and Crema 2025-2027 plans, a cast of demo people and a short
co-programming history at Cremona's "Inclusione attiva" tavolo.

Everything is recorded through the application's commands, as real users would, so the demo's
history is as auditable as any other.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from server.application import SYSTEM
from server.directory import Directory
from server.events.errors import Conflict
from server.events.ids import organisation_id, plan_id
from server.meetings_minutes import generated_minutes
from server.planformat import load_document, validate_objective_fields
from server.projections.meetings import MeetingRow
from server.projections.plans import TavoloRow

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
PASSWORD = "coprogramma-demo"
PLAN, TAVOLO = "cremona-2025-2027", "gdl-inclusione-attiva"

# key, email, name, organisation, global role, role at the demo tavolo
PEOPLE = [
    ("admin", "ufficio.piano@coprogramma.example", "Giulia Ferrari", "asc", "admin", None),
    ("marco", "coordinatore.comune@coprogramma.example", "Marco Bianchi", "comune-cremona", None, "coordinator"),
    ("elena", "coordinatrice.ets@coprogramma.example", "Elena Rossi", "consorzio-solco", None, "coordinator"),
    ("luca", "caritas@coprogramma.example", "Luca Galli", "caritas", None, "member"),
    ("sara", "nazareth@coprogramma.example", "Sara Colombo", "coop-nazareth", None, "member"),
    ("paolo", "anffas@coprogramma.example", "Paolo Ricci", "anffas", None, "member"),
    ("chiara", "cerchio@coprogramma.example", "Chiara Moretti", "il-cerchio", None, "member"),
    ("anna", "revisore@coprogramma.example", "Anna Conti", None, "auditor", None),
]
ROLE_LABELS = {"admin": "Ufficio di Piano (amministratore)", "coordinator": "coordinatore del tavolo",
               "member": "membro ETS del tavolo", "auditor": "revisore"}


def load_demo(runtime) -> list[tuple[str, str, str]] | None:
    """Loads everything once; returns the demo logins, or None if already loaded."""
    app = runtime.app
    if plan_id(PLAN) in app.repository:
        return None
    directory = Directory(runtime)
    _, email, name, organisation, role, _ = PEOPLE[0]
    if organisation_id(organisation) not in app.repository:
        app.register_organisation(organisation, "Azienda Sociale Cremonese (ASC)", "azienda_consortile", SYSTEM)
    people = {"admin": directory.create_user(email, name, PASSWORD, SYSTEM, organisation=organisation, role=role)[0]}
    for path in sorted(DEMO_DIR.glob("*.json")):
        raw = path.read_bytes()
        app.import_plan(load_document(raw), path.name, hashlib.sha256(raw).hexdigest(), people["admin"])
    for key, email, name, organisation, role, seat in PEOPLE[1:]:
        people[key], _ = directory.create_user(email, name, PASSWORD, people["admin"],
                                               organisation=organisation, role=role)
        if seat:
            app.set_tavolo_member(PLAN, TAVOLO, people[key], seat, people["admin"])
    _history(runtime, people)
    runtime.wait_for(runtime.event_position())
    return logins()


def _session(app, p: dict[str, str]) -> str:
    """The tavolo's session of 12 February: attendance and the four quadranti di sintesi."""
    meeting = uuid4()
    app.convene_meeting(meeting, PLAN, TAVOLO, "Seduta del gruppo di lavoro Inclusione attiva",
                        "2025-02-12T17:30:00+01:00", "Sala Zanoni, Comune di Cremona", None,
                        [{"title": "Attuazione del Protocollo per l'inclusione attiva", "objective_ref": "A-Ob1"},
                         {"title": "Interventi connessi alle politiche per il lavoro", "objective_ref": "H"}],
                        p["marco"])
    meeting = str(meeting)
    for organisation, people in (("comune-cremona", 2), ("consorzio-solco", 1), ("caritas", 2),
                                 ("coop-nazareth", 1), ("anffas", 1), ("il-cerchio", 1)):
        app.record_meeting_attendance(PLAN, TAVOLO, meeting, organisation, True, people, p["marco"])
    app.record_meeting_attendance(PLAN, TAVOLO, meeting, "cgil", False, None, p["marco"])
    for quadrant, author, text, refs in (
        ("questioni_problematiche", "luca", "Le persone senza dimora restano fuori dai percorsi di inclusione.", ["A-Ob1"]),
        ("risorse_disponibili", "sara", "La cooperativa mette a disposizione 3 tirocini l'anno.", ["H"]),
        ("proposte_concrete", "paolo", "Inserire le persone senza dimora tra i destinatari dell'obiettivo.", ["A-Ob1"]),
        ("lavoro_di_rete", "chiara", "Coordinare gli sportelli con l'unità di strada.", []),
    ):
        app.add_meeting_contribution(PLAN, TAVOLO, meeting, quadrant, text, None, refs, [], p[author])
    return meeting


def meeting_contributions(app, meeting: str) -> dict[str, str]:
    """Contribution ids by quadrant (one each in the demo)."""
    found = app.meeting(PLAN, TAVOLO, meeting).contributions
    return {item["quadrant"]: contribution_id for contribution_id, item in found.items()}


def _history(runtime, p: dict[str, str]) -> None:
    """A session, proposals, comments, supports, an approval, a rejection, a conflict resolved by
    revising, and the plan's approval by the Assemblea dei Sindaci."""
    app = runtime.app
    app.set_plan_status(PLAN, "co_programming", p["admin"])
    plan = app.plan(PLAN)
    a1 = app.objective(plan, "A-Ob1")
    h = app.objective(plan, "H")
    meeting = _session(app, p)

    target = uuid4()
    app.propose_amendment(target, PLAN, "A-Ob1", a1.version,
                          _checked({"target": [*a1.fields.get("target", []), "Persone senza dimora in carico ai servizi"]}),
                          "Le persone senza dimora seguite dall'unità di strada non compaiono tra i destinatari.",
                          p["luca"])
    app.support_proposal(str(target), p["sara"])
    app.comment_proposal(str(target), "D'accordo: nel 2024 il dormitorio ha accolto 64 persone.", p["paolo"])
    app.link_meeting_contribution(PLAN, TAVOLO, meeting, meeting_contributions(app, meeting)["proposte_concrete"],
                                  [], [str(target)], p["marco"])
    app.decide_proposal(str(target), "approve", "Condiviso dal tavolo del 12 febbraio.", p["marco"])

    budget = dict(h.fields.get("budget") or {"items": []})
    budget["items"] = [*budget.get("items", []),
                       {"label": "Borse lavoro aggiuntive", "amount_eur": Decimal("60000"), "source": "private"}]
    rejected = uuid4()
    app.propose_amendment(rejected, PLAN, "H", h.version, _checked({"budget": budget}),
                          "Servono 20 borse lavoro in più per i beneficiari ADI.", p["chiara"])
    app.decide_proposal(str(rejected), "reject",
                        "Risorse non confermate nel bilancio 2025 di ASC: riproporre a metà triennio.", p["elena"])

    base = app.objective(app.plan(PLAN), "A-Ob1").version
    first, second = uuid4(), uuid4()
    app.propose_amendment(first, PLAN, "A-Ob1", base, {"expected_results": (
        "Protocollo per l'inclusione attiva sottoscritto e operativo in tutti i sub-ambiti entro il 2026.")},
        "Rendere verificabile il risultato.", p["paolo"])
    app.propose_amendment(second, PLAN, "A-Ob1", base, {"expected_results": (
        "Cabina di regia e Comitato tecnico riuniti almeno 4 volte l'anno.")},
        "Indicare la frequenza della governance.", p["chiara"])
    app.support_proposal(str(first), p["luca"])
    app.decide_proposal(str(first), "approve", None, p["marco"])
    try:
        app.decide_proposal(str(second), "approve", None, p["elena"])
    except Conflict:  # the field moved on: the author revises against the current version
        current = app.objective(app.plan(PLAN), "A-Ob1")
        app.revise_proposal(str(second), current.version, {"expected_results": (
            f"{current.fields['expected_results']} Cabina di regia e Comitato tecnico riuniti almeno "
            "4 volte l'anno.")}, "Unita alla proposta già approvata.", p["chiara"])
        app.decide_proposal(str(second), "approve", "Integrazione condivisa.", p["elena"])

    runtime.wait_for(runtime.event_position())
    with runtime.sessions() as session:
        tavolo = session.get(TavoloRow, (PLAN, TAVOLO))
        row = session.get(MeetingRow, meeting)
        minutes, version = generated_minutes(session, tavolo, row), row.version
    app.close_meeting(PLAN, TAVOLO, meeting, minutes, version, p["marco"])
    app.set_plan_status(PLAN, "validation", p["admin"])
    app.approve_plan(PLAN, "assemblea_dei_sindaci", "Delibera n. 12 del 14/03/2025", "2025-03-14", p["admin"])
    app.set_plan_status("crema-2025-2027", "co_programming", p["admin"])


def _checked(changes: dict) -> dict:
    """The same validation the API applies to a proposal's changes."""
    clean, problems = validate_objective_fields(changes)
    if problems:
        raise ValueError(f"demo changes are not valid: {problems}")
    return clean


def logins() -> list[tuple[str, str, str]]:
    return [(email, name, ROLE_LABELS[role or seat]) for _, email, name, _org, role, seat in PEOPLE]


def print_logins(echo) -> None:
    echo(f"Accessi dimostrativi (password per tutti: {PASSWORD}):")
    for email, name, label in logins():
        echo(f"  {email:42} {name:16} {label}")
