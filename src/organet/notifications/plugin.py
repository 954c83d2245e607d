"""The notifications plugin's hook implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request

from organet import web
from organet.hooks import hookimpl
from organet.i18n import N_
from organet.notifications import inbox, mailing, views
from organet.notifications.models import CHANNELS, GroupDefault, Notification, Preference
from organet.types import SIGNED_IN, AdminPage, Job, Page, Setting


@hookimpl
def register_models() -> list[type]:
    return [Notification, Preference, GroupDefault]


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("default_channel", str, "site", "Where people get notifications unless they or their group "
                "chose otherwise: site, email, digest or off.", example="site", runtime=True, choices=CHANNELS),
        Setting("keep_days", int, 180, "Days read notifications are kept.", example=180, runtime=True,
                minimum=1, maximum=3650),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/notifications", views.notification_list, name="list", permission=SIGNED_IN),
        Page("/notifications/read", views.mark_read, name="read", permission=SIGNED_IN, methods=("POST",)),
        Page("/notifications/{id:int}/open", views.open_notification, name="open", permission=SIGNED_IN,
             methods=("POST",)),
        Page("/notifications/settings", views.preferences, name="preferences", permission=SIGNED_IN,
             methods=("GET", "POST")),
        Page("/admin/notifications", views.admin_defaults, name="admin", permission="administer-site",
             methods=("GET", "POST")),
    ]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Notification defaults"), "notifications:admin", order=40)]


def _prune(ctx: Any) -> None:
    keep = int(ctx.site.setting("notifications", "keep_days"))
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=keep)
    ctx.session.execute(sa.delete(Notification).where(Notification.read_at.is_not(None),
                                                      Notification.read_at < cutoff))


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job("notifications.mail", mailing.mail_job, every=dt.timedelta(minutes=1),
            description="Mail notifications to people who want them at once, if they may still see the object"),
        Job("notifications.prune", _prune, every=dt.timedelta(days=1),
            description="Remove read notifications older than keep_days"),
    ]


@hookimpl
def on_startup(app: Starlette) -> None:
    site = app.state.site
    inbox.remember_site(site)

    def notification_count(request: Request) -> int:
        return inbox.unread_count(web.site(request), web.db(request), web.user(request))

    site.state["templates"].globals["notification_count"] = notification_count


@hookimpl
def export_person_data(session: Session, person: Any) -> dict[str, Any]:
    rows = session.scalars(sa.select(Notification).where(Notification.recipient_id == person.id)
                           .order_by(Notification.id))
    prefs = session.execute(sa.select(Preference.plugin, Preference.channel).where(Preference.user_id == person.id))
    return {"notifications": [{"title": r.display_title, "url": r.url, "plugin": r.plugin,
                               "created_at": r.created_at.isoformat(),
                               "read_at": r.read_at.isoformat() if r.read_at else None} for r in rows],
            "preferences": {plugin: channel for plugin, channel in prefs}}


@hookimpl
def on_person_erased(session: Session, person: Any) -> None:
    session.execute(sa.delete(Notification).where(Notification.recipient_id == person.id))
    session.execute(sa.delete(Preference).where(Preference.user_id == person.id))
