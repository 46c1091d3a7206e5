"""Demo data: the Cremona and Crema 2025-2027 plans and a cast of demo people.

The plans' structure (organisations, macro-areas, tavoli) is recorded as events attributed to
the demo Ufficio di Piano; demo people are seated at the Cremona "Inclusione attiva" tavolo.
"""
from __future__ import annotations

import json
from pathlib import Path

from server.application import SYSTEM
from server.directory import Directory
from server.events.ids import organisation_id, plan_id

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
PASSWORD = "coprogramma-demo"
PLAN, TAVOLO = "cremona-2025-2027", "gdl-inclusione-attiva"

# email, name, organisation, global role, role at the demo tavolo
PEOPLE = [
    ("ufficio.piano@coprogramma.example", "Giulia Ferrari", "asc", "admin", None),
    ("coordinatore.comune@coprogramma.example", "Marco Bianchi", "comune-cremona", None, "coordinator"),
    ("coordinatrice.ets@coprogramma.example", "Elena Rossi", "consorzio-solco", None, "coordinator"),
    ("caritas@coprogramma.example", "Luca Galli", "caritas", None, "member"),
    ("nazareth@coprogramma.example", "Sara Colombo", "coop-nazareth", None, "member"),
    ("anffas@coprogramma.example", "Paolo Ricci", "anffas", None, "member"),
    ("cerchio@coprogramma.example", "Chiara Moretti", "il-cerchio", None, "member"),
    ("revisore@coprogramma.example", "Anna Conti", None, "auditor", None),
]
ROLE_LABELS = {"admin": "Ufficio di Piano (amministratore)", "coordinator": "coordinatore del tavolo",
               "member": "membro ETS del tavolo", "auditor": "revisore"}


def demo_documents() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(DEMO_DIR.glob("*.json"))]


def load_demo(runtime) -> list[tuple[str, str, str]] | None:
    """Loads everything once; returns the demo logins, or None if already loaded."""
    app = runtime.app
    if plan_id(PLAN) in app.repository:
        return None
    documents = demo_documents()
    organisations = {o["key"]: o for doc in documents for o in doc.get("organisations", [])}
    for key, org in organisations.items():
        if organisation_id(key) not in app.repository:
            app.register_organisation(key, org["name"], org["kind"], SYSTEM)
    directory = Directory(runtime)
    admin_email, admin_name, admin_org, *_ = PEOPLE[0]
    admin, _ = directory.create_user(admin_email, admin_name, PASSWORD, SYSTEM, organisation=admin_org, role="admin")
    for doc in documents:
        _load_structure(app, doc, admin)
    for email, name, organisation, role, seat in PEOPLE[1:]:
        user_id, _ = directory.create_user(email, name, PASSWORD, admin, organisation=organisation, role=role)
        if seat:
            app.set_tavolo_member(PLAN, TAVOLO, user_id, seat, admin)
    runtime.wait_for(runtime.event_position())
    return logins()


def _load_structure(app, doc: dict, actor: str) -> None:
    plan = doc["plan"]
    app.create_plan(plan["key"], plan["title"], plan["ambito"], plan["period"]["from"], plan["period"]["to"],
                    actor, lead_body=plan.get("lead_body"), managing_agency=plan.get("managing_agency"),
                    municipalities=plan.get("municipalities", []), sub_areas=plan.get("sub_areas", []))
    for area in doc["macro_areas"]:
        app.add_macro_area(plan["key"], area["code"], area["name"], area.get("key_points", []), actor)
    for tavolo in doc.get("tavoli", []):
        app.create_tavolo(plan["key"], tavolo["key"], tavolo["name"], tavolo.get("macro_areas", []), actor,
                          mandate=tavolo.get("mandate"), organisations=tavolo.get("members", []))


def logins() -> list[tuple[str, str, str]]:
    return [(email, name, ROLE_LABELS[role or seat]) for email, name, _org, role, seat in PEOPLE]


def print_logins(echo) -> None:
    echo(f"Accessi dimostrativi (password per tutti: {PASSWORD}):")
    for email, name, label in logins():
        echo(f"  {email:42} {name:16} {label}")
