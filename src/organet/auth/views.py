"""Sign-in and sign-out pages."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import web
from organet.auth import passwords, sessions
from organet.db import utcnow
from organet.i18n import gettext as _
from organet.people.models import User


def find_account(session: sa.orm.Session, login: str) -> User | None:
    """Return the active person whose username or e-mail address is ``login`` (case-insensitive)."""
    login = login.strip().lower()
    if not login:
        return None
    return session.scalar(sa.select(User).where(
        sa.or_(sa.func.lower(User.username) == login, sa.func.lower(User.email) == login),
        User.kind != "service").limit(1))


def login(request: Request) -> Response:
    """Show the sign-in form, or sign in with username (or e-mail) and password."""
    error = ""
    login_name = ""
    if request.method == "POST":
        form = web.form(request)
        login_name = str(form.get("login", ""))[:254]
        password = str(form.get("password", ""))[:passwords.MAX_LENGTH]
        session = web.db(request)
        user = find_account(session, login_name)
        if user is not None and user.active and passwords.verify_password(user.password_hash, password):
            if user.password_hash and passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            user.last_login_at = utcnow()
            token = sessions.start(request, session, user)
            response = web.redirect_back(request, "/")
            sessions.set_cookie(request, response, token)
            return response
        if user is None:
            passwords.verify_password(None, password)
        error = _("The username or password is not right. Check them and try again.")
    return web.render(request, "auth/login.html", {"error": error, "login": login_name,
                                                    "next": request.query_params.get("next", ""),
                                                    "title": _("Sign in")},
                      status_code=401 if error else 200)


def logout(request: Request) -> Response:
    """Sign out: the session row is deleted, so the old cookie is refused from now on."""
    sessions.end(request, web.db(request))
    response = web.redirect(request, "auth:login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response
