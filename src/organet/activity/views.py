"""The admin's adoption page: active people, a chart of the last weeks, use per plugin and per department."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from organet import web
from organet.activity import figures
from organet.activity.recording import site_time_zone
from organet.i18n import gettext as _


def adoption(request: Request) -> Response:
    """Daily, weekly and monthly active people; a bar chart per day; tables per plugin and department."""
    session = web.db(request)
    try:
        days = min(max(int(request.query_params.get("days", "30")), 7), 366)
    except ValueError:
        days = 30
    today = dt.datetime.now(site_time_zone(web.site(request)) or dt.UTC).date()  # the site's today, as the day rows
    start = today - dt.timedelta(days=days - 1)
    series = figures.daily_series(session, start, today)
    titles = {p.name: p.info.title for p in web.site(request).plugins.values()}
    return web.render(request, "activity/adoption.html", {
        "title": _("Adoption"), "days": days,
        "dau": figures.dau(session, today), "wau": figures.wau(session, today), "mau": figures.mau(session, today),
        "chart": figures.bar_chart([(d.isoformat(), n) for d, n in series], _("Active people per day")),
        "series": series, "plugins": figures.use_per_plugin(session, start, today), "titles": titles,
        "departments": figures.use_per_department(session, start, today),
    })
