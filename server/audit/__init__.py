"""Tamper evidence and audit exports: verify the hash chain, export and check bundles, certified snapshots.

The functions below are the read side as the web pages ask for it (server/ui/history.py,
server/ui/objectives.py); `verify_chain`, with who may ask, serves the API too. They run inside a
Flask request. Imports stay inside the functions:
server/audit/verify_bundle.py must run on its own (standard library only), and the projections
import it.
"""
from __future__ import annotations


def _runtime():
    from server.api.common import runtime

    return runtime()


def _moment(value) -> dict:
    from datetime import datetime

    if value is None:
        return {}
    if isinstance(value, int) or str(value).isdigit():
        return {"at": int(value)}
    return {"as_of": value if isinstance(value, datetime) else datetime.fromisoformat(str(value))}


def plan_state_at(session, key: str, at: int | None = None) -> dict | None:
    """The plan at position `at` in the shape of GET /plans/{key} with fields; None before it existed."""
    from server.replay.shape import plan_state
    from server.replay.state import resolve, state_at

    runtime = _runtime()
    position = resolve(runtime, session, **_moment(at))
    plan = state_at(runtime, session, key, position)
    return {**plan_state(plan), "position": position} if plan else None


def plan_diff(session, key: str, start, end) -> dict:
    """The diff between two moments (positions, or ISO 8601 times)."""
    from server.replay.compare import plan_diff as diff

    return diff(_runtime(), session, key, _moment(start), _moment(end))


def objective_provenance(session, key: str, ref: str) -> dict:
    from server.replay.compare import objective_provenance as provenance

    return provenance(_runtime(), session, key, ref, {})


def verify_chain(runtime, viewer, published: tuple[int, str] | None = None) -> dict:
    """Recompute the hash chain from the raw log (server/audit/verify.py): for auditors and admins."""
    from server.audit.verify import summary, verify
    from server.events.errors import Forbidden

    if not (viewer.is_admin or viewer.is_auditor):
        raise Forbidden("La verifica del registro è riservata ai revisori e all'Ufficio di Piano")
    runtime.wait_for(runtime.event_position())
    report = verify(runtime, published=published)
    return {**report, "summary": summary(report)}
