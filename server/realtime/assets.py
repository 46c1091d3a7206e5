"""The socket.io-client bundle, served from web/node_modules (installed by `make setup`), no CDN.

`/vendor/socket.io-client/socket.io.esm.min.js` is what web/static/js/live.js imports.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

DIST = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "socket.io-client" / "dist"
FILES = {"socket.io.esm.min.js", "socket.io.esm.min.js.map", "socket.io.min.js", "socket.io.min.js.map",
         "socket.io.js", "socket.io.js.map"}

blueprint = Blueprint("live_assets", __name__)


@blueprint.route("/vendor/socket.io-client/<name>")
def socketio_client(name: str):
    if name not in FILES or not (DIST / name).is_file():
        abort(404, description="Libreria socket.io-client non installata: eseguire `make setup` (npm ci in web/)")
    return send_from_directory(DIST, name, max_age=3600)
