"""Finishing a sign-in, whichever method found the person: a fresh session, the audit record, the cookie.

Other sign-in methods (OpenID Connect, SAML, LDAP plugins) call :func:`sign_in` once they
know who the person is, so every method ends the same way.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from organet import activity, audit, web
from organet.auth import secondfactor, sessions
from organet.db import utcnow
from organet.people.models import User
from organet.types import SignInMethod


def sign_in(request: Request, user: User, method: str = "password", *, second_factor_done: bool = False) -> Response:
    """Sign ``user`` in and return the redirect to send (to ``next``, else the dashboard).

    When the person has a second factor and ``second_factor_done`` is false, the session is
    only half made and the redirect goes to the second-factor page. Call it in a view, with
    the request's database session open (it is).
    """
    session = web.db(request)
    if not second_factor_done and secondfactor.has_second_factor(session, user.id):
        token = sessions.start(request, session, user, pending="second_factor")
        target = str(request.url_for("auth:second_factor").path)
        next_page = str(web.form(request).get("next") or request.query_params.get("next") or "")
        if next_page:
            from urllib.parse import urlencode

            target += "?" + urlencode({"next": next_page})
        response: Response = RedirectResponse(target, status_code=303)
        sessions.set_cookie(request, response, token)
        return response
    token = sessions.start(request, session, user)
    user.last_login_at = utcnow()
    audit.record(session, user, "auth.signin.succeeded", target=f"person:{user.username}",
                 details={"method": method}, request=request)
    activity.record(session, user.id, "auth", action="sign-in", kind=method)
    response = web.redirect_back(request, "/")
    sessions.set_cookie(request, response, token)
    return response


def methods(request: Request) -> list[SignInMethod]:
    """Every sign-in method the plugins offer (the password form included), in order."""
    found: list[SignInMethod] = []
    for result in web.site(request).hook.register_signin_methods():
        found.extend(result or ())
    return sorted(found, key=lambda method: (method.order, method.name))
