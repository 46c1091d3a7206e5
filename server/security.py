"""Passwords (argon2) and opaque one-time/bearer tokens (only their SHA-256 is stored)."""
from __future__ import annotations

import hashlib
import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
# RFC 9106 low-memory profile by default; the test suite picks CHEAPEST to stay fast. Hashes
# carry their own parameters, so changing the profile never locks anyone out.
_hasher = PasswordHasher.from_parameters(
    getattr(profiles, os.environ.get("COPROGRAMMA_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY")))
# Verified against when the e-mail is unknown, so timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash("coprogramma-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Italian reason why a password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"La password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri."
    if password.strip() != password or not password.strip():
        return "La password non può iniziare o finire con spazi."
    return None


def new_token() -> tuple[str, str]:
    """A fresh random token and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
