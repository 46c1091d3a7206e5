"""Throttling of the doors guessers knock at: login, token, password reset (429 beyond the limit).

Counters live in this process, or in Redis when COPROGRAMMA_MESSAGE_QUEUE is set, so that
several server processes share them.
"""
from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _login_limit() -> str:
    return current_app.config["COPROGRAMMA_LOGIN_RATE_LIMIT"]


def throttled(view):
    """At most COPROGRAMMA_LOGIN_RATE_LIMIT attempts per client address on this view's POST."""
    return limiter.limit(_login_limit, methods=["POST"])(view)


def init_app(app: Flask, settings) -> None:
    app.config["COPROGRAMMA_LOGIN_RATE_LIMIT"] = settings.login_rate_limit
    app.config["RATELIMIT_STORAGE_URI"] = settings.message_queue or "memory://"
    app.config["RATELIMIT_HEADERS_ENABLED"] = True
    limiter.init_app(app)
