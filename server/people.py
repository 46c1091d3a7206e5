"""Personal data: names, e-mails, password hashes, tokens. Kept out of the event log.

Events refer to people by account id only; erasing a person (GDPR art. 17) clears this row
and leaves the public record of who-did-what intact, pseudonymous.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class Person(Base):
    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class ApiToken(Base):
    """Bearer tokens; only a SHA-256 of the token is kept."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("people.user_id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Invitation(Base):
    """One-time links that let an invited person set a password (also used for resets)."""

    __tablename__ = "invitations"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("people.user_id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "invite" | "reset"
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
