"""The sign-in plugin's hook implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.requests import Request

from organet.auth import account, admin, secondfactor, sessions, throttle, tokens, views
from organet.auth.models import ApiToken, PasswordReset, RecoveryCode, SecondFactor, SignInSession, Throttle
from organet.db import utcnow
from organet.hooks import hookimpl
from organet.i18n import N_
from organet.i18n import gettext as _
from organet.people.models import ROLES
from organet.types import PUBLIC, SIGNED_IN, AdminPage, FormSpec, Job, Page, Permission, Setting, SignInMethod

# Pages a person in a forced state may still open (besides the step's own page).
STEP_FREE_PATHS = frozenset({"/logout", "/healthz", "/language"})


@hookimpl
def register_models() -> list[type]:
    return [SignInSession, ApiToken, SecondFactor, RecoveryCode, PasswordReset, Throttle]


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("idle_minutes", int, 30, "Minutes without a request after which a session ends.",
                example=30, runtime=True, minimum=1, maximum=24 * 60),
        Setting("absolute_hours", int, 12, "Hours after sign-in after which a session always ends.",
                example=12, runtime=True, minimum=1, maximum=24 * 30),
        Setting("require_second_factor_for", list, ["admin"],
                "Site roles that must set up a second step (an authenticator app) before anything else.",
                example=["admin", "editor"], runtime=True, choices=ROLES),
        Setting("signin_attempts_per_address", int, 50,
                "Failed sign-ins from one address in 15 minutes before that address must wait.",
                example=50, runtime=True, minimum=5, maximum=10_000),
        Setting("signin_attempts_per_account", int, 5,
                "Failed sign-ins on one account from one address in 15 minutes before that address must wait "
                "(the wait doubles with each further failure, at most 15 minutes; other addresses are not affected).",
                example=5, runtime=True, minimum=3, maximum=100),
        Setting("reset_link_minutes", int, 60, "Minutes a password reset link keeps working.",
                example=60, runtime=True, minimum=5, maximum=24 * 60),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("create-api-tokens", N_("Make API tokens for yourself (for your own scripts and integrations)"),
                   default_roles=("admin", "editor")),
        Permission("manage-api-tokens", N_("See every API token, make tokens for service accounts, revoke any"),
                   default_roles=("admin",)),
    ]


@hookimpl
def register_routes() -> list[Page]:
    # write=True: every POST here writes (throttle, session, audit); BEGIN IMMEDIATE on SQLite.
    return [
        Page("/login", views.login, name="login", permission=PUBLIC, methods=("GET", "POST"), write=True),
        Page("/login/second-factor", views.second_factor, name="second_factor", permission=PUBLIC,
             methods=("GET", "POST"), write=True),
        Page("/login/reset", views.request_reset, name="request_reset", permission=PUBLIC, methods=("GET", "POST"),
             write=True),
        Page("/login/reset/{token}", views.reset, name="reset", permission=PUBLIC, methods=("GET", "POST"), write=True),
        Page("/logout", views.logout, name="logout", permission=PUBLIC, methods=("POST",), write=True),
        Page("/account/security", account.security_page, name="security", permission=SIGNED_IN),
        Page("/account/password", account.change_password, name="password", permission=SIGNED_IN,
             methods=("GET", "POST"), write=True),
        Page("/account/second-factor", account.second_factor_setup, name="second_factor_setup",
             permission=SIGNED_IN, methods=("GET", "POST"), write=True),
        Page("/account/second-factor/off", account.second_factor_off, name="second_factor_off",
             permission=SIGNED_IN, methods=("POST",), write=True),
        Page("/account/recovery-codes", account.recovery_codes, name="recovery_codes", permission=SIGNED_IN,
             methods=("POST",), write=True),
        Page("/account/sessions/end-all", account.end_all_sessions, name="end_all_sessions", permission=SIGNED_IN,
             methods=("POST",), write=True),
        Page("/account/tokens", account.create_token, name="create_token", permission="create-api-tokens",
             methods=("POST",), write=True),
        Page("/account/tokens/{token_id:int}/revoke", account.revoke_token, name="revoke_token",
             permission=SIGNED_IN, methods=("POST",), write=True),
        Page("/admin/tokens", admin.admin_tokens, name="admin_tokens", permission="manage-api-tokens",
             methods=("GET", "POST"), write=True),
        Page("/admin/tokens/{token_id:int}/revoke", admin.admin_revoke_token, name="admin_revoke_token",
             permission="manage-api-tokens", methods=("POST",), write=True),
    ]


@hookimpl
def register_forms() -> list[FormSpec]:
    token = {"scopes": "create-api-tokens", "days": "30"}
    return [
        FormSpec("auth:login", ("login", "password"), shown_at=("/login",)),
        FormSpec("auth:request_reset", ("login",)),
        FormSpec("auth:password", ("current", "password", "password_again")),
        FormSpec("auth:second_factor_setup", ("code",), defaults={"action": "confirm"}),
        FormSpec("auth:create_token", ("name",), defaults=token, shown_at=("/account/security",)),
        FormSpec("auth:admin_tokens", ("owner", "name"), defaults=token, shown_at=("/admin/tokens",)),
    ]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("API tokens"), "auth:admin_tokens", permission="manage-api-tokens", order=80)]


@hookimpl
def register_signin_methods() -> list[SignInMethod]:
    return [SignInMethod("password", N_("Username and password"), "auth:login", order=0)]


@hookimpl(tryfirst=True)
def user_from_request(request: Request, session: Session) -> Any:
    # An API token answers first; a request that presents one is never signed in by a cookie as well.
    return tokens.resolve(request, session)


@hookimpl(trylast=True, specname="user_from_request")
def user_from_session_cookie(request: Request, session: Session) -> Any:
    if getattr(request.state, "bearer_presented", False):
        return None
    site = request.app.state.site
    idle = dt.timedelta(minutes=site.setting("auth", "idle_minutes"))
    absolute = dt.timedelta(hours=site.setting("auth", "absolute_hours"))
    return sessions.resolve(request, session, idle, absolute)


@hookimpl
def required_step_from_request(request: Request, session: Session, user: Any) -> str | None:
    path = request.url.path
    if path in STEP_FREE_PATHS or getattr(user, "kind", "") == "service":
        return None
    if getattr(user, "must_change_password", False):
        return "/account/password"
    site = request.app.state.site
    if secondfactor.required_for(site, user) and not secondfactor.has_second_factor(session, user.id):
        return "/account/second-factor"
    return None


@hookimpl
def person_profile_sections(request: Request, person: Any) -> list[Any]:
    viewer = getattr(request.state, "user", None)
    if not viewer or getattr(viewer, "id", None) != getattr(person, "id", None):
        return []
    from organet.people import ProfileSection

    url = str(request.url_for("auth:security").path)
    html = Markup('<p><a href="{}">{}</a></p>').format(
        url, _("Password, second step, where you are signed in, and API tokens"))
    return [ProfileSection(_("Sign-in and security"), html, 90)]


@hookimpl
def export_person_data(session: Session, person: Any) -> dict[str, Any]:
    rows = sessions.of_user(session, person.id)
    return {
        "sessions": [{"started": r.created_at.isoformat(), "last_seen": r.last_seen_at.isoformat(),
                      "address": r.address, "browser": r.user_agent} for r in rows],
        "api_tokens": [{"name": t.name, "scopes": t.scopes, "created": t.created_at.isoformat(),
                        "revoked": t.revoked_at.isoformat() if t.revoked_at else None}
                       for t in tokens.of_user(session, person.id)],
        "second_factor": secondfactor.has_second_factor(session, person.id),
    }


def prune(ctx: Any) -> None:
    """Delete ended throttles, sessions past the absolute time-out and spent or expired reset links;
    encrypt second-step secrets that an earlier version stored as they were."""
    session = ctx.session
    secondfactor.encrypt_plain_secrets(session, ctx.site)
    now = utcnow()
    throttle.prune(session)
    longest = dt.timedelta(hours=int(ctx.site.setting("auth", "absolute_hours")))
    session.execute(sa.delete(SignInSession).where(SignInSession.created_at < now - longest))
    session.execute(sa.delete(PasswordReset).where(sa.or_(PasswordReset.expires_at < now,
                                                          PasswordReset.used_at.is_not(None))))


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("auth.prune", prune, every=dt.timedelta(hours=1),
                description="Delete ended sessions, throttles and reset links")]



@hookimpl
def on_person_erased(session: Session, person: Any) -> None:
    # The person row is anonymised, not deleted, so the cascades do not fire: remove every way to sign in.
    for model in (SignInSession, ApiToken, RecoveryCode, PasswordReset, SecondFactor):
        session.execute(sa.delete(model).where(model.user_id == person.id))
