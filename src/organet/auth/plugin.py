"""The sign-in plugin's hook implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from organet.auth import sessions, views
from organet.auth.models import SignInSession
from organet.hooks import hookimpl
from organet.types import PUBLIC, Page, Setting


@hookimpl
def register_models() -> list[type]:
    return [SignInSession]


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("idle_minutes", int, 30, "Minutes without a request after which a session ends.",
                example=30, runtime=True, minimum=1, maximum=24 * 60),
        Setting("absolute_hours", int, 12, "Hours after sign-in after which a session always ends.",
                example=12, runtime=True, minimum=1, maximum=24 * 30),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/login", views.login, name="login", permission=PUBLIC, methods=("GET", "POST")),
        Page("/logout", views.logout, name="logout", permission=PUBLIC, methods=("POST",)),
    ]


@hookimpl(trylast=True)
def user_from_request(request: Request, session: Session) -> Any:
    site = request.app.state.site
    idle = dt.timedelta(minutes=site.setting("auth", "idle_minutes"))
    absolute = dt.timedelta(hours=site.setting("auth", "absolute_hours"))
    return sessions.resolve(request, session, idle, absolute)
