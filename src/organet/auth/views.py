"""The sign-in pages: password, second factor, sign-out and the password reset link."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from organet import audit, ratelimit, security, web
from organet.auth import passwords, resets, secondfactor, sessions, throttle
from organet.auth.signin import methods, sign_in
from organet.i18n import gettext as _
from organet.people.models import User

RESETS_PER_ADDRESS = 5
WRONG = "The username or password is not right. Check them and try again."


def find_account(session: sa.orm.Session, login: str) -> User | None:
    """Return the person whose username or e-mail address is ``login`` (case-insensitive); never a service account."""
    login = login.strip().lower()
    if not login:
        return None
    return session.scalar(sa.select(User).where(
        sa.or_(sa.func.lower(User.username) == login, sa.func.lower(User.email) == login),
        User.kind != "service").order_by(User.id).limit(1))


def _rules(request: Request, account: str) -> list[throttle.Rule]:
    address = security.client_address(request)
    return [throttle.address_rule(address, web.setting(request, "auth", "signin_attempts_per_address")),
            throttle.account_rule(account, address, web.setting(request, "auth", "signin_attempts_per_account"))]


def _too_many(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _("Too many attempts. Wait %(minutes)s minutes and try again, or reset your password.", minutes=minutes)


def login(request: Request) -> Response:
    """Show the sign-in form, or sign in with username (or e-mail) and password."""
    error = ""
    status = 200
    login_name = ""
    if request.method == "POST":
        form = web.form(request)
        login_name = str(form.get("login", ""))[:254]
        password = str(form.get("password", ""))[:passwords.MAX_LENGTH]
        session = web.db(request)
        user = find_account(session, login_name)
        # The same key whether or not the account exists, so the answers tell nothing.
        rules = _rules(request, str(user.id) if user is not None else login_name.strip().lower())
        wait = throttle.wait_seconds(session, rules)
        if wait:
            error, status = _too_many(wait), 429
        elif user is not None and user.active and passwords.verify_password(user.password_hash, password):
            throttle.succeeded(session, rules[1])
            if user.password_hash and passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            return sign_in(request, user, "password")
        else:
            if user is None:
                passwords.verify_password(None, password)
            blocked = throttle.failed(session, rules)
            audit.record(session, None, "auth.signin.failed",
                         target=f"person:{user.username}" if user is not None else "",
                         details={"reason": "unknown account" if user is None else
                                  ("inactive" if not user.active else "wrong password")}, request=request)
            if blocked:
                audit.record(session, None, "auth.signin.throttled",
                             target=f"person:{user.username}" if user is not None else "", request=request)
            error, status = _(WRONG), 401
    next_page = web.form(request).get("next") or request.query_params.get("next", "")
    suffix = "?" + urlencode({"next": next_page}) if next_page else ""
    # Translated here, so that the template escapes the label like any other text.
    others = [{"label": _(m.label), "url": str(request.url_for(m.start_route).path) + suffix}
              for m in methods(request) if m.name != "password"]
    notice = _("Your password is changed. Sign in with it.") if request.query_params.get("reset") == "done" else ""
    return web.render(request, "auth/login.html", {"error": error, "login": login_name, "next": next_page,
                                                   "methods": others, "notice": notice, "title": _("Sign in")},
                      status_code=status)


def second_factor(request: Request) -> Response:
    """After the password: the code from the authenticator app, or a recovery code."""
    pending = getattr(request.state, "pending_session", None)
    if pending is None:
        return RedirectResponse(str(request.url_for("auth:login").path), status_code=303)
    session = web.db(request)
    user = session.get(User, pending.user_id)
    factor = secondfactor.factor_of(session, pending.user_id, lock=request.method == "POST")
    if user is None or factor is None or not user.active:
        sessions.end(request, session)
        return RedirectResponse(str(request.url_for("auth:login").path), status_code=303)
    error, status = "", 200
    if request.method == "POST":
        code = str(web.form(request).get("code", ""))[:40]
        rules = _rules(request, str(user.id))
        wait = throttle.wait_seconds(session, rules)
        unreadable = False
        try:
            valid = not wait and secondfactor.check_code(web.site(request), factor, code)
        except secondfactor.SecretUnreadable:
            valid, unreadable = False, True
        if wait:
            error, status = _too_many(wait), 429
        elif valid:
            throttle.succeeded(session, rules[1])
            return sign_in(request, user, "password+totp", second_factor_done=True)
        elif secondfactor.use_recovery_code(session, user.id, code):
            throttle.succeeded(session, rules[1])
            audit.record(session, user, "auth.recovery_code.used", target=f"person:{user.username}",
                         details={"left": secondfactor.recovery_codes_left(session, user.id)}, request=request)
            return sign_in(request, user, "password+recovery-code", second_factor_done=True)
        else:
            throttle.failed(session, rules)
            reason = "second factor unreadable: the site's secret key changed" if unreadable else "wrong second factor"
            audit.record(session, None, "auth.signin.failed", target=f"person:{user.username}",
                         details={"reason": reason}, request=request)
            if unreadable:
                error = _("Codes from your app can no longer be checked here: the site's key was changed. "
                          "Sign in with one of your recovery codes, or ask an administrator to reset your "
                          "second step.")  # organet user reset-second-factor
            else:
                error = _("That code is not right. Enter the current code from your app, or a recovery code.")
            status = 401
    return web.render(request, "auth/second_factor.html", {
        "error": error, "next": web.form(request).get("next") or request.query_params.get("next", ""),
        "title": _("Second step")}, status_code=status)


def logout(request: Request) -> Response:
    """Sign out: the session row is deleted, so the old cookie is refused from now on."""
    person = web.user(request)
    session = web.db(request)
    sessions.end(request, session)
    if person:
        audit.record(session, person, "auth.signout", target=f"person:{person.username}", request=request)
    response = web.redirect(request, "auth:login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


def request_reset(request: Request) -> Response:
    """Ask for a reset link by username or e-mail; the answer is the same whether the account exists or not."""
    sent = False
    error, status = "", 200
    if request.method == "POST":
        session = web.db(request)
        address = security.client_address(request)
        # Every request counts (each may send a mail): the core's shared rate limit, in Redis when configured.
        if not ratelimit.hit(web.site(request), session, f"auth:reset:{address}", RESETS_PER_ADDRESS, 15 * 60):
            error, status = _too_many(15 * 60), 429
        else:
            user = find_account(session, str(web.form(request).get("login", ""))[:254])
            if user is not None and user.active and user.email:
                minutes = int(web.setting(request, "auth", "reset_link_minutes"))
                token = resets.create(session, user, minutes)
                # From the configured base_url, never the request's Host header (which a caller chooses).
                base = str(web.site(request).config.site["base_url"]).rstrip("/")
                link = base + str(request.url_for("auth:reset", token=token).path)
                text = _("Someone (hopefully you) asked to reset your password for %(site)s.\n\n"
                         "Open this link within %(minutes)s minutes to choose a new password:\n%(link)s\n\n"
                         "If you did not ask for this, ignore this message; your password stays as it is.",
                         site=web.site(request).config.site["name"], minutes=minutes, link=link)
                resets.send_mail(session, user.email, _("Reset your password"), text)
                audit.record(session, None, "auth.password.reset_requested", target=f"person:{user.username}",
                             request=request)
            sent = True
    return web.render(request, "auth/reset_request.html", {"sent": sent, "error": error,
                                                           "title": _("Forgot your password?")}, status_code=status)


def reset(request: Request) -> Response:
    """The link from the mail: choose a new password. Works once, and not after it expired."""
    session = web.db(request)
    token = request.path_params["token"]
    found = resets.find(session, token)
    user = session.get(User, found.user_id) if found is not None else None
    if found is None or user is None or not user.active:
        return web.render(request, "auth/reset.html", {"expired": True, "title": _("Choose a new password")},
                          status_code=410)
    error, status = "", 200
    if request.method == "POST":
        form = web.form(request)
        new, again = str(form.get("password", "")), str(form.get("password_again", ""))
        problem = passwords.password_problem(new, username=user.username)
        if problem is None and new != again:
            problem = _("The two passwords are not the same. Type them again.")
        if problem is None:
            resets.spend(session, found)
            user.password_hash = passwords.hash_password(new)
            user.must_change_password = False
            sessions.end_all(session, user.id)
            audit.record(session, None, "auth.password.reset", target=f"person:{user.username}", request=request)
            resets.notify(session, user, web.site(request).config.site["name"], _("Your password was reset"))
            target = str(request.url_for("auth:login").path) + "?" + urlencode({"reset": "done"})
            return RedirectResponse(target, status_code=303)
        error, status = problem, 422
    return web.render(request, "auth/reset.html", {"expired": False, "error": error, "token": token,
                                                   "title": _("Choose a new password")}, status_code=status)
