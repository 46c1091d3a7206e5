"""Helpers shared by the pages: who is looking, running a command, Italian formatting."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import wraps
from zoneinfo import ZoneInfo

from flask import redirect, request, url_for

from server import auth
from server.api.common import runtime
from server.events.errors import DomainError, Forbidden
from server.queries.people import list_organisations, names
from server.planformat.labels import OBJECTIVE_LABELS
from server.projections.plans import TavoloRow

ROME = ZoneInfo("Europe/Rome")
OBJECTIVE_STATUS = {"draft": "Bozza", "in_discussion": "In discussione", "agreed": "Concordato",
                    "validated": "Validato", "approved": "Approvato", "withdrawn": "Ritirato"}
PROPOSAL_STATUS = {"open": "Aperta", "changes_requested": "Modifiche richieste", "approved": "Approvata",
                   "rejected": "Respinta", "withdrawn": "Ritirata"}
PLAN_STATUS = {"drafting": "In redazione", "co_programming": "In co-programmazione", "validation": "In validazione",
               "approved": "Approvato", "in_force": "In vigore"}
ROLE = {"admin": "Ufficio di Piano", "auditor": "Revisore", "coordinator": "Coordinatore/trice",
        "member": "Membro"}


def rt():
    return runtime()


def viewer():
    return auth.current()


def login_required(view):
    """Pages for signed-in people send the others to the login page, and back afterwards."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if auth.current() is None:
            return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def require(condition: bool, message: str) -> None:
    if not condition:
        raise Forbidden(message)


def attempt(command, *args, **kwargs):
    """Runs an application command; returns (position, None) or (None, DomainError)."""
    try:
        return command(*args, **kwargs), None
    except DomainError as error:
        return None, error


def wait(position: int) -> None:
    """Read-your-writes: the page after a command shows it. Commands that answer more than the
    position are unpacked by their caller (positions and versions are both ints: no guessing)."""
    if not isinstance(position, int):
        raise TypeError(f"a position, not {position!r}")
    rt().wait_for_write(position)


def is_partial() -> bool:
    """A fragment asked by the page's JavaScript (no header, footer or navigation)."""
    return request.args.get("frammento") == "1" or request.headers.get("X-Coprogramma-Fragment") == "1"


def people_names(session, user_ids) -> dict[str, str]:
    return {user_id: name or "(persona cancellata)" for user_id, name in names(session, user_ids).items()}


def tavolo_name(session, plan_key: str, tavolo: str | None) -> str | None:
    """The tavolo's name for breadcrumbs and titles (its key if the read model does not know it)."""
    row = session.get(TavoloRow, (plan_key, tavolo)) if tavolo else None
    return row.name if row else tavolo


def organisation_names(session) -> dict[str, str]:
    return {o["key"]: o["name"] for o in list_organisations(session)}


# -- formatting ---------------------------------------------------------------------------------
def eur(value) -> str:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError):  # None, missing, not a number
        return "—"
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{'-' if amount < 0 else ''}€ {'.'.join(groups)},{cents}"


def number(value) -> str:
    if isinstance(value, Decimal) or isinstance(value, (int, float)):
        text = format(Decimal(str(value)).normalize(), "f")
        return text.replace(".", ",")
    return "" if value is None else str(value)


def when(value, with_time: bool = True) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        return value.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    value = value.astimezone(ROME)
    return value.strftime("%d/%m/%Y alle %H:%M" if with_time else "%d/%m/%Y")


def list_changes(before, after) -> dict:
    """Items removed from and added to a list of texts (empty for other values)."""
    if not isinstance(before, list) and not isinstance(after, list):
        return {"removed": [], "added": []}
    before = [b for b in before or [] if isinstance(b, str)]
    after = [a for a in after or [] if isinstance(a, str)]
    return {"removed": [b for b in before if b not in after], "added": [a for a in after if a not in before]}


def _budget_total(value):
    from server.planformat import budget_total
    return budget_total({"budget": value or {}})


def _budget_mismatch(value):
    from server.planformat import budget_mismatch
    return budget_mismatch({"budget": value or {}})


def _field_kind(name: str) -> str:
    from server.ui.objective_form import kind_of
    return kind_of(name)


FILTERS = {"eur": eur, "list_changes": list_changes, "budget_total": _budget_total,
           "budget_mismatch": _budget_mismatch, "field_kind": _field_kind,
           "label_of": lambda name: OBJECTIVE_LABELS.get(name, name),
           "dom_id": lambda name: str(name).replace(".", "-").replace("_", "-"), "number": number, "when": when,
           "plan_status": lambda s: PLAN_STATUS.get(s, s),
           "objective_status": lambda s: OBJECTIVE_STATUS.get(s, s),
           "proposal_status": lambda s: PROPOSAL_STATUS.get(s, s),
           "role_label": lambda s: ROLE.get(s, s)}
