"""What every template may use: who is looking, what they may reach, the official labels."""
from __future__ import annotations

from pathlib import Path

from server import auth
from server.events.meeting import QUADRANTS
from server.planformat import labels as L
from server.planformat.schema import OBJECTIVE_FIELDS

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"


def live_available() -> bool:
    """The live-updates client (web/static/js/live.js) and the server side both exist."""
    try:
        import server.realtime  # noqa: F401
    except ImportError:
        return False
    return (STATIC / "js" / "live.js").exists()


def globals_for_templates() -> dict:
    viewer = auth.current()
    coordinates = bool(viewer and (viewer.is_admin or "coordinator" in viewer.tavoli.values()))
    return {
        "viewer": viewer,
        "may_review": coordinates,
        "live_available": live_available(),
    }


# Also visible inside imported macros (which do not see the request's context).
STATIC_GLOBALS = {"L": L, "OBJECTIVE_FIELDS": OBJECTIVE_FIELDS, "QUADRANTS": QUADRANTS}
