"""What every template may use: who is looking, what they may reach, the official labels."""
from __future__ import annotations

from server import auth
from server.events.meeting import QUADRANTS
from server.planformat import labels as L
from server.planformat.schema import OBJECTIVE_FIELDS

def globals_for_templates() -> dict:
    viewer = auth.current()
    coordinates = bool(viewer and (viewer.is_admin or "coordinator" in viewer.tavoli.values()))
    return {
        "viewer": viewer,
        "may_review": coordinates,
    }


# Also visible inside imported macros (which do not see the request's context).
STATIC_GLOBALS = {"L": L, "OBJECTIVE_FIELDS": OBJECTIVE_FIELDS, "QUADRANTS": QUADRANTS}
