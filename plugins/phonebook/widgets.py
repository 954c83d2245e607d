"""The phonebook's dashboard widgets: who in my department is away today, and new colleagues."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from organet_plugins.phonebook import access, availability, profiles, views
from organet_plugins.phonebook.models import Absence
from starlette.requests import Request

from organet import web
from organet.people import Membership, User

LIMIT = 12


def _render(request: Request, template: str, context: dict[str, Any]) -> Markup:
    environment = web.site(request).state["templates"]
    return Markup(environment.get_template(template).render({"request": request, **context}))  # noqa: S704


def absent_today(request: Request) -> Markup:
    """Colleagues in my departments who are absent today; the reason only for those who may see it."""
    viewer = web.user(request)
    session = web.db(request)
    day = availability.today()
    mine = sa.select(Membership.group_id).where(Membership.user_id == viewer.id)
    colleagues = sa.select(Membership.user_id).where(Membership.group_id.in_(mine))
    rows = session.execute(
        sa.select(User, Absence).join(Absence, Absence.person_id == User.id)
        .where(User.id.in_(colleagues), User.id != viewer.id, User.active,
               Absence.starts_on <= day, Absence.ends_on >= day)
        .order_by(User.sort_name).limit(LIMIT)).all()
    away = [{"person": person, "until": absence.ends_on,
             "reason": absence.kind if access.may_see_reasons(request, person) else None}
            for person, absence in rows]
    return _render(request, "phonebook/widget_absent.html", {"away": away})


def new_colleagues(request: Request) -> Markup:
    """The newest colleagues, with their department."""
    rows = profiles.rows(request, views.recent_ids(request, 8))
    return _render(request, "phonebook/widget_new.html", {"rows": rows})
