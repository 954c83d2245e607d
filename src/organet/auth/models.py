"""The tables of sign-in: sessions, API tokens, second factors, recovery codes, password resets, throttles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow


class SignInSession(Model):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 digest is stored here."""

    __tablename__ = "auth_sessions"

    id_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class ApiToken(Model):
    """A bearer token for an integration or service account. Only the SHA-256 digest is stored.

    A request with the token holds at most the intersection of ``scopes`` and its owner's
    permissions; a revoked or expired token is refused.
    """

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hint: Mapped[str] = mapped_column(sa.String(16), default="")
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.Integer, default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_address: Mapped[str] = mapped_column(sa.String(64), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class SecondFactor(Model):
    """A person's TOTP secret. ``confirmed_at`` is set once they entered a first code; until then it is unused.

    ``last_step`` is the time step of the last accepted code, so that a code is never accepted twice.
    """

    __tablename__ = "auth_second_factors"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(255))  # encrypted: see organet.auth.secondfactor
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_step: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(Model):
    """A single-use code that stands in for the second factor; stored as a digest, shown once."""

    __tablename__ = "auth_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class PasswordReset(Model):
    """A password reset link sent by e-mail: single use, expiring; only its digest is stored."""

    __tablename__ = "auth_password_resets"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Throttle(Model):
    """Failed attempts for one key (an address, or an account from one address) in the current window.

    Shared by every worker because it lives in the database; see organet.auth.throttle.
    """

    __tablename__ = "auth_throttles"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
