"""The Flask application factory."""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from flask import Flask

from server.config import Settings
from server.directory import Directory
from server.jsonutil import ExactJSONProvider
from server.mail import Outbox
from server.runtime import Runtime

WEB = Path(__file__).resolve().parent.parent / "web"


def create_app(settings: Settings | None = None, *, project_inline: bool = True,
               start_projector: bool = True, config: dict | None = None) -> Flask:
    """One Flask app per process. `project_inline=False` when a `coprogramma projector`
    process applies the events instead; `start_projector=False` keeps the background
    thread off (events are then projected on demand, e.g. in tests)."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = Runtime(settings, project_inline=project_inline)

    app = Flask(__name__, template_folder=str(WEB / "templates"), static_folder=str(WEB / "static"),
                static_url_path="/static")
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(settings.public_url or "").startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in server/auth.py, skipped for bearer clients
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(config or {})
    app.json = ExactJSONProvider(app)  # exact amounts, contract's field order
    app.extensions["coprogramma"] = runtime
    app.extensions["coprogramma.directory"] = Directory(runtime)
    app.extensions["coprogramma.outbox"] = Outbox(settings.instance / "outbox")

    from server import auth, ratelimit, realtime, ui
    from server.api import init_api

    auth.init_app(app)
    ratelimit.init_app(app, settings)
    init_api(app)
    ui.init_app(app)
    # Socket.IO (app.extensions["socketio"]); when this process projects, events are pushed after commit
    realtime.init_app(app, runtime, project_inline=project_inline)

    if project_inline and start_projector:
        runtime.projector.start()
    return app
