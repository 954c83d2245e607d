"""The admin page of background jobs: each job's last run, outcome and duration, and whether workers are alive."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from organet import i18n, web
from organet.errors import ValidationError
from organet.jobs import status
from organet.jobs.queue import enqueue


def every(interval: dt.timedelta | None) -> str:
    """Say how often a job runs, in the largest whole unit: "every 30 s", "every 10 min", "every 6 h"."""
    if interval is None:
        return i18n.gettext("when queued")
    seconds = int(interval.total_seconds())
    if seconds % 86400 == 0:
        return i18n.ngettext("every day", "every %(num)d days", seconds // 86400)
    if seconds % 3600 == 0:
        return i18n.gettext("every %(hours)s h", hours=seconds // 3600)
    if seconds % 60 == 0:
        return i18n.gettext("every %(minutes)s min", minutes=seconds // 60)
    return i18n.gettext("every %(seconds)s s", seconds=seconds)


def admin_jobs(request: Request) -> Response:
    """Every declared job with its schedule, last run and queue, and the workers seen lately."""
    site = web.site(request)
    session = web.db(request)
    stall = site.settings["jobs"]["stall_minutes"]
    return web.render(request, "jobs/admin_jobs.html", {
        "jobs": status.overview(site, session),
        "workers": status.workers(session, stall_minutes=stall),
        "health": status.health(site, session, stall),
        "every": every,
        "title": i18n.gettext("Background jobs"),
    })


def run_job(request: Request) -> Response:
    """Queue a run of one job now; a worker (or ``organet serve``) picks it up within seconds."""
    site = web.site(request)
    name = str(web.form(request).get("job", ""))
    if name not in site.jobs:
        raise ValidationError(i18n.gettext("Choose one of the jobs in the list."))
    enqueue(web.db(request), name, {}, key="admin")
    web.flash(request, i18n.gettext("The job %(name)s will run within seconds.", name=name))
    return web.redirect(request, "jobs:admin")
