"""The activity plugin's hook implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.activity import recording, views
from organet.activity.models import DayActivity, Event
from organet.hooks import hookimpl
from organet.i18n import N_
from organet.types import AdminPage, Job, Page, Permission, Setting


@hookimpl
def register_models() -> list[type]:
    return [DayActivity, Event]


@hookimpl
def register_settings() -> list[Setting]:
    return [Setting("keep_events_days", int, 14, "Days raw activity events are kept (0: keep none); the "
                    "per-day counts stay.", example=14, runtime=True, minimum=0, maximum=730)]


@hookimpl
def register_permissions() -> list[Permission]:
    return [Permission("view-adoption", N_("See adoption figures: active people, use per plugin and department"),
                       default_roles=("admin",))]


@hookimpl
def register_routes() -> list[Page]:
    return [Page("/admin/adoption", views.adoption, name="adoption", permission="view-adoption")]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Adoption"), "activity:adoption", permission="view-adoption", order=60)]


def _prune(ctx: Any) -> None:
    recording.prune(ctx.session, int(ctx.site.setting("activity", "keep_events_days")))


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("activity.prune", _prune, every=dt.timedelta(hours=6),
                description="Remove raw activity events older than keep_events_days")]


@hookimpl
def export_person_data(session: Session, person: Any) -> dict[str, Any]:
    rows = session.scalars(sa.select(DayActivity).where(DayActivity.user_id == person.id)
                           .order_by(DayActivity.day).limit(5000))
    return {"days": [{"day": r.day.isoformat(), "plugin": r.plugin, "views": r.views,
                      "contributions": r.contributions} for r in rows]}


@hookimpl
def on_person_erased(session: Session, person: Any) -> None:
    session.execute(sa.delete(DayActivity).where(DayActivity.user_id == person.id))
    session.execute(sa.delete(Event).where(Event.user_id == person.id))


@hookimpl
def on_shutdown(app: Any) -> None:
    from organet.activity.recording import flush

    flush(app.state.site)
