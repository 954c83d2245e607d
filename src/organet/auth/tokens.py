"""API tokens: ``Authorization: Bearer <token>`` for integrations and service accounts.

A token is shown once when it is made; only its SHA-256 digest is stored (the token has
256 random bits, so a slow hash would add nothing). It carries scopes, a list of permission
names: a request made with it holds at most the intersection of those scopes and its
owner's permissions (enforced in :func:`organet.web.permission_granted` through the
``token_scopes`` attribute this module puts on the person).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.requests import Request

from organet import security
from organet.auth.models import ApiToken
from organet.db import utcnow
from organet.people.models import User

PREFIX = "ont_"
# Writing last_used_at on every call would make every API read a write; a minute is precise enough.
TOUCH_EVERY = dt.timedelta(seconds=60)
MAX_DAYS = 366


def create(session: Session, owner: User, name: str, scopes: Iterable[str], days: int | None,
           created_by: Any = None) -> tuple[ApiToken, str]:
    """Make a token for ``owner``; return the stored row and the token itself (shown once, never again)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(days=min(days, MAX_DAYS)) if days else None
    row = ApiToken(user_id=owner.id, name=name.strip()[:100] or "token", digest=security.digest(secret),
                   hint=secret[:len(PREFIX) + 4], scopes=sorted(set(scopes)), expires_at=expires,
                   created_by_id=getattr(created_by, "id", None))
    session.add(row)
    session.flush()
    return row, secret


def revoke(session: Session, token: ApiToken) -> None:
    """Revoke ``token``: refused from the next request on; the row stays for the record."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def of_user(session: Session, user_id: int) -> list[ApiToken]:
    """Every token of a person, newest first."""
    return list(session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def is_live(token: ApiToken) -> bool:
    """True when the token is neither revoked nor expired."""
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > utcnow())


def bearer(request: Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, or ``None`` when there is none."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def resolve(request: Request, session: Session) -> User | None:
    """Return the owner of the request's bearer token (with ``token_scopes`` set), or ``None``."""
    secret = bearer(request)
    if secret is None:
        return None
    request.state.bearer_presented = True
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.digest == security.digest(secret)))
    if token is None or not is_live(token):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        token.last_used_address = security.client_address(request)[:64]
    # Only this request's copy of the person carries the scopes: the session is the request's own.
    user.token_scopes = frozenset(token.scopes or ())  # type: ignore[attr-defined]
    request.state.token_auth = True
    request.state.api_token = token
    return user
