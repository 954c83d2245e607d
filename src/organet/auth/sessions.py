"""Server-side sessions: the cookie carries a random id, the database holds who it belongs to.

Signing out, "sign out everywhere", a password change and deactivation delete or refuse the
rows, so they take effect on the very next request.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from organet import security
from organet.auth.models import SignInSession
from organet.db import utcnow
from organet.people.models import Membership, User

COOKIE = "organet_session"
# Writing last_seen_at on every request would make every page a write; a minute is precise enough.
TOUCH_EVERY = dt.timedelta(seconds=60)


PENDING = "pending"
# A password accepted but the second factor not yet given: this long to give it.
PENDING_FOR = dt.timedelta(minutes=10)


def start(request: Request, session: Session, user: User, *, pending: str = "") -> str:
    """Create a new session for ``user`` (a fresh id at every sign-in) and return the cookie value.

    The old session of this browser, if any, is deleted. ``pending="second_factor"`` makes a
    half-signed-in session that only the second-factor page accepts.
    """
    old = request.cookies.get(COOKIE)
    if old:
        session.execute(sa.delete(SignInSession).where(SignInSession.id_digest == security.digest(old)))
    token = secrets.token_urlsafe(32)
    session.add(SignInSession(id_digest=security.digest(token), user_id=user.id,
                              address=security.client_address(request)[:64],
                              user_agent=request.headers.get("user-agent", "")[:300],
                              data={PENDING: pending} if pending else {}))
    request.state.session_id = token
    return token


def set_cookie(request: Request, response: Response, token: str) -> None:
    """Send the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, no Max-Age (ends with the browser)."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")


def end(request: Request, session: Session) -> None:
    """Delete the current session row, so that the cookie is refused from now on."""
    token = request.cookies.get(COOKIE)
    if token:
        session.execute(sa.delete(SignInSession).where(SignInSession.id_digest == security.digest(token)))


def of_user(session: Session, user_id: int) -> list[SignInSession]:
    """The person's open sessions, most recently used first."""
    return list(session.scalars(sa.select(SignInSession).where(SignInSession.user_id == user_id)
                                .order_by(SignInSession.last_seen_at.desc())))


def end_all(session: Session, user_id: int, keep: str | None = None) -> int:
    """Delete every session of a person (all but the id ``keep``); return how many ended."""
    statement = sa.delete(SignInSession).where(SignInSession.user_id == user_id)
    if keep:
        statement = statement.where(SignInSession.id_digest != security.digest(keep))
    return int(getattr(session.execute(statement), "rowcount", 0) or 0)


# One round trip for the session, its person and their group memberships: every page needs all
# three (the memberships' groups only rarely: they load when asked for). Built once: putting a
# statement together costs more than running it.
_SESSION_AND_PERSON = (
    sa.select(SignInSession, User).outerjoin(User, User.id == SignInSession.user_id)
    .options(orm.joinedload(User.memberships).lazyload(Membership.group))
    .where(SignInSession.id_digest == sa.bindparam("digest")))


def resolve(request: Request, session: Session, idle: dt.timedelta, absolute: dt.timedelta) -> User | None:
    """Return the person of the request's session cookie, or ``None`` (expired, ended, deactivated)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    found = session.execute(_SESSION_AND_PERSON, {"digest": security.digest(token)}).unique().first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    pending = (row.data or {}).get(PENDING)
    if pending:
        absolute = min(absolute, PENDING_FOR)
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        session.delete(row)
        return None
    if pending:
        # Half signed in: not a person yet, but the second-factor page may finish the sign-in.
        request.state.session_id = token
        request.state.pending_session = row
        return None
    if user is None or not user.active:
        session.delete(row)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    request.state.session_id = token
    request.state.session_row = row
    _attach_flash(request, row)
    return user


def _attach_flash(request: Request, row: SignInSession) -> None:
    def add(message: str, kind: str) -> None:
        data: dict[str, Any] = dict(row.data or {})
        data["flash"] = [*data.get("flash", []), {"text": message, "kind": kind}]
        row.data = data

    def take() -> list[dict[str, str]]:
        data: dict[str, Any] = dict(row.data or {})
        messages = data.pop("flash", [])
        if messages:
            row.data = data
        return list(messages)

    request.state.flash = add
    request.state.take_flashes = take
