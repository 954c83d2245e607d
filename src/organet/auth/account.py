"""A person's own security page: password, second factor, recovery codes, open sessions and API tokens."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from organet import audit, web
from organet.auth import passwords, resets, secondfactor, sessions, tokens
from organet.auth.models import ApiToken
from organet.errors import NotFound, ValidationError
from organet.i18n import gettext as _

TOKEN_DAYS = (30, 90, 365)


def _target(user: Any) -> str:
    return f"person:{user.username}"


def _notify(request: Request, user: Any, change: str) -> None:
    resets.notify(web.db(request), user, web.site(request).config.site["name"], change)


def grantable_scopes(request: Request) -> list[tuple[str, str]]:
    """The permissions the current person holds, as (name, description): what their own tokens may carry."""
    site = web.site(request)
    return sorted((name, _(permission.description)) for name, (_plugin, permission) in site.permissions.items()
                  if web.has_permission(request, name))


def security_page(request: Request, extra: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """The overview: password, second factor, sessions and tokens, with a form for each change."""
    session = web.db(request)
    user = web.user(request)
    current = getattr(request.state, "session_row", None)
    context = {
        "title": _("Sign-in and security"),
        "has_factor": secondfactor.has_second_factor(session, user.id),
        "factor_required": secondfactor.required_for(web.site(request), user),
        "codes_left": secondfactor.recovery_codes_left(session, user.id),
        "sessions": sessions.of_user(session, user.id),
        "current_session": current.id_digest if current is not None else "",
        "tokens": tokens.of_user(session, user.id),
        "is_live": tokens.is_live,
        "can_make_tokens": web.has_permission(request, "create-api-tokens"),
        "scopes": grantable_scopes(request),
        "token_days": TOKEN_DAYS,
        **(extra or {}),
    }
    return web.render(request, "auth/security.html", context, status_code=status_code)


def change_password(request: Request) -> Response:
    """Change the password: the current one is required; every other session of the person ends."""
    user = web.user(request)
    error, status = "", 200
    if request.method == "POST":
        form = web.form(request)
        current, new, again = (str(form.get(k, ""))[:passwords.MAX_LENGTH]
                               for k in ("current", "password", "password_again"))
        problem = None
        if not passwords.verify_password(user.password_hash, current):
            problem = _("Your current password is not right.")
        if problem is None:
            problem = passwords.password_problem(new, username=user.username)
        if problem is None and new == current:
            problem = _("Choose a password that differs from your current one.")
        if problem is None and new != again:
            problem = _("The two passwords are not the same. Type them again.")
        if problem is None:
            session = web.db(request)
            user.password_hash = passwords.hash_password(new)
            user.must_change_password = False
            ended = sessions.end_all(session, user.id, keep=getattr(request.state, "session_id", None))
            audit.record(session, user, "auth.password.changed", target=_target(user),
                         details={"other_sessions_ended": ended}, request=request)
            _notify(request, user, _("Your password was changed"))
            web.flash(request, _("Your password is changed. You are signed out everywhere else."))
            return web.redirect(request, "auth:security")
        error, status = problem, 422
    return web.render(request, "auth/password.html", {"error": error, "forced": user.must_change_password,
                                                      "title": _("Change your password")}, status_code=status)


def second_factor_setup(request: Request) -> Response:
    """Set up the authenticator app: start (a new secret, shown as a QR code), confirm with a first code."""
    session = web.db(request)
    user = web.user(request)
    site = web.site(request)
    if secondfactor.has_second_factor(session, user.id):
        return web.redirect(request, "auth:security")
    factor = None
    error, status = "", 200
    if request.method == "POST":
        factor = secondfactor.begin(session, site, user.id)
        if web.form(request).get("action") == "confirm":
            if secondfactor.check_code(site, factor, str(web.form(request).get("code", ""))[:20]):
                secondfactor.confirm(factor)
                codes = secondfactor.new_recovery_codes(session, user.id)
                audit.record(session, user, "auth.second_factor.enabled", target=_target(user), request=request)
                _notify(request, user, _("A second step (authenticator app) was set up"))
                return web.render(request, "auth/recovery_codes.html", {"codes": codes,
                                                                        "title": _("Your recovery codes")})
            error, status = _("That code is not right. Enter the 6 digits your app shows now."), 422
    context: dict[str, Any] = {"title": _("Set up the second step"), "error": error,
                               "required": secondfactor.required_for(site, user), "factor": factor}
    if factor is not None:
        uri = secondfactor.provisioning_uri(site, factor, user.username, site.config.site["name"])
        context.update(qr=secondfactor.qr_data_uri(uri), secret=secondfactor.secret_of(site, factor))
    return web.render(request, "auth/second_factor_setup.html", context, status_code=status)


def _check_password(request: Request) -> None:
    user = web.user(request)
    if not passwords.verify_password(user.password_hash, str(web.form(request).get("current", ""))[:1024]):
        raise ValidationError(_("Your current password is not right."), {"current": [_("Not right.")]})


def second_factor_off(request: Request) -> Response:
    """Switch the second factor off (password required); refused when the person's role requires one."""
    session = web.db(request)
    user = web.user(request)
    if secondfactor.required_for(web.site(request), user):
        raise ValidationError(_("Your role requires a second step, so it cannot be switched off. "
                                "To move to a new phone, use a recovery code and set it up again."))
    _check_password(request)
    secondfactor.remove(session, user.id)
    audit.record(session, user, "auth.second_factor.disabled", target=_target(user), request=request)
    _notify(request, user, _("The second step (authenticator app) was switched off"))
    web.flash(request, _("The second step is switched off."))
    return web.redirect(request, "auth:security")


def recovery_codes(request: Request) -> Response:
    """Replace the recovery codes (password required) and show the new ones once."""
    session = web.db(request)
    user = web.user(request)
    if not secondfactor.has_second_factor(session, user.id):
        return web.redirect(request, "auth:second_factor_setup")
    _check_password(request)
    codes = secondfactor.new_recovery_codes(session, user.id)
    audit.record(session, user, "auth.recovery_codes.renewed", target=_target(user), request=request)
    return web.render(request, "auth/recovery_codes.html", {"codes": codes, "title": _("Your recovery codes")})


def end_all_sessions(request: Request) -> Response:
    """Sign out everywhere, this browser included."""
    session = web.db(request)
    user = web.user(request)
    ended = sessions.end_all(session, user.id)
    audit.record(session, user, "auth.signout.everywhere", target=_target(user), details={"sessions": ended},
                 request=request)
    response = web.redirect(request, "auth:login")
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


def parse_token_form(request: Request, allowed: set[str]) -> tuple[str, list[str], int]:
    """Read name, scopes and days from a token form; scopes must be among ``allowed``."""
    form = web.form(request)
    name = str(form.get("name", "")).strip()[:100]
    scopes = [str(s) for s in form.getlist("scopes")]
    days = int(str(form.get("days", "90"))) if str(form.get("days", "90")).isdecimal() else 0
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name that says what uses it.")]
    if not scopes or any(s not in allowed for s in scopes):
        errors["scopes"] = [_("Choose at least one permission, from those offered.")]
    if days not in TOKEN_DAYS:
        errors["days"] = [_("Choose how long the token works.")]
    if errors:
        raise ValidationError(_("The token was not made; see the marked fields."), errors)
    return name, scopes, days


def create_token(request: Request) -> Response:
    """Make an API token for yourself; the page shows it once."""
    user = web.user(request)
    allowed = {name for name, _d in grantable_scopes(request)}
    try:
        name, scopes, days = parse_token_form(request, allowed)
    except ValidationError as error:
        return security_page(request, {"token_errors": error.errors}, status_code=422)
    session = web.db(request)
    row, secret = tokens.create(session, user, name, scopes, days, created_by=user)
    audit.record(session, user, "auth.token.created", target=f"token:{row.id}",
                 details={"owner": user.username, "name": row.name, "scopes": row.scopes, "days": days},
                 request=request)
    return security_page(request, {"new_token": secret, "new_token_name": row.name})


def revoke_token(request: Request) -> Response:
    """Revoke one of your own tokens."""
    session = web.db(request)
    user = web.user(request)
    token = session.get(ApiToken, int(request.path_params["token_id"]))
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    tokens.revoke(session, token)
    audit.record(session, user, "auth.token.revoked", target=f"token:{token.id}",
                 details={"owner": user.username, "name": token.name}, request=request)
    web.flash(request, _("The token is revoked."))
    return web.redirect(request, "auth:security")
