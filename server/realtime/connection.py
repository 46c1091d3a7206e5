"""One socket's state (who, what it subscribed to, which rooms it is in) and the refusal acks."""
from __future__ import annotations

from dataclasses import dataclass, field


class Refusal(Exception):
    """A request the client may not make: answered `{"ok": false, "error": message}`."""


@dataclass
class Connection:
    sid: str
    user_id: str
    user: dict  # what presence shows: {"id", "name", "organisation"}
    subscriptions: dict = field(default_factory=dict)  # (plan, tavolo | None) -> set of rooms
    # room joined -> the position after which its events reached this socket live (catch_up sends
    # those up to it, and never one it has already received)
    since: dict = field(default_factory=dict)

    def rooms(self, plan: str | None = None) -> set[str]:
        return set().union(*(rooms for (p, _), rooms in self.subscriptions.items() if plan in (None, p)))


def text(data, name: str, required: bool = True) -> str | None:
    """A short non-empty text field of a message, or a `Refusal`."""
    value = data.get(name) if isinstance(data, dict) else None
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise Refusal(f"Richiesta non valida: «{name}» deve essere un testo non vuoto")
    return value.strip()


def position_after(data, required: bool = True) -> int | None:
    """The message's `after`: a position (integer ≥ 0), or a `Refusal`."""
    after = data.get("after") if isinstance(data, dict) else None
    if after is None and not required:
        return None
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise Refusal("Richiesta non valida: «after» deve essere una posizione (intero ≥ 0)")
    return after


def answer(handler):
    """A handler whose `Refusal` becomes the ack `{"ok": false, "error"}`."""
    def run(self, data=None):
        try:
            return handler(self, data)
        except Refusal as refusal:
            return {"ok": False, "error": str(refusal)}
    run.__name__ = handler.__name__
    return run
