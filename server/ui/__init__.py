"""Server-rendered pages in Italian: the members' workspace, the coordinators' queue, the
auditors' history and the Ufficio di Piano's administration.

Every page reads the read models (server/queries/) and every form calls the
same application commands as the API: no business rule lives here. Each module is one area.
"""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ui", __name__)


def init_app(app: Flask) -> None:
    from server.ui import (account, admin, admin_people, history, meetings, objectives, plans, proposals,  # noqa: F401
                           tavoli)
    from server.ui.common import FILTERS
    from server.ui.context import STATIC_GLOBALS, globals_for_templates

    app.register_blueprint(bp)
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
    app.context_processor(globals_for_templates)
    app.jinja_env.globals.update(STATIC_GLOBALS)
