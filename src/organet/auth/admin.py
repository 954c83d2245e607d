"""The admin page for API tokens: every token on the site, and tokens for service accounts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import audit, web
from organet.auth import tokens
from organet.auth.account import TOKEN_DAYS, parse_token_form
from organet.auth.models import ApiToken
from organet.errors import NotFound, ValidationError
from organet.i18n import gettext as _
from organet.people.models import User

PAGE_SIZE = 200


def _page(request: Request, extra: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    session = web.db(request)
    rows = session.execute(sa.select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(PAGE_SIZE)).all()
    scopes = sorted((name, _(p.description)) for name, (_plugin, p) in web.site(request).permissions.items())
    return web.render(request, "auth/admin_tokens.html", {
        "rows": rows, "is_live": tokens.is_live, "scopes": scopes, "token_days": TOKEN_DAYS,
        "title": _("API tokens"), **(extra or {})}, status_code=status_code)


def admin_tokens(request: Request) -> Response:
    """List every token; POST makes one for a person or service account (shown once)."""
    if request.method != "POST":
        return _page(request)
    session = web.db(request)
    owner_name = str(web.form(request).get("owner", "")).strip()
    owner = session.scalar(sa.select(User).where(User.username == owner_name))
    try:
        if owner is None or not owner.active:
            raise ValidationError(_("There is no active person or service account with that username."),
                                  {"owner": [_("Unknown username.")]})
        name, scopes, days = parse_token_form(request, set(web.site(request).permissions))
    except ValidationError as error:
        return _page(request, {"token_errors": error.errors, "owner": owner_name}, status_code=422)
    actor = web.user(request)
    row, secret = tokens.create(session, owner, name, scopes, days, created_by=actor)
    audit.record(session, actor, "auth.token.created", target=f"token:{row.id}",
                 details={"owner": owner.username, "name": row.name, "scopes": row.scopes, "days": days},
                 request=request)
    return _page(request, {"new_token": secret, "new_token_name": row.name, "new_token_owner": owner.username})


def admin_revoke_token(request: Request) -> Response:
    """Revoke any token."""
    session = web.db(request)
    token = session.get(ApiToken, int(request.path_params["token_id"]))
    if token is None:
        raise NotFound("No such token.")
    owner = session.get(User, token.user_id)
    tokens.revoke(session, token)
    audit.record(session, web.user(request), "auth.token.revoked", target=f"token:{token.id}",
                 details={"owner": owner.username if owner else "", "name": token.name}, request=request)
    web.flash(request, _("The token is revoked."))
    return web.redirect(request, "auth:admin_tokens")
