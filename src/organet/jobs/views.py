"""The admin page of background jobs: each job's last run, outcome and duration, and whether workers are alive."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from organet import i18n, web
from organet.errors import ValidationError
from organet.jobs import status
from organet.jobs.queue import enqueue


def admin_jobs(request: Request) -> Response:
    """Every declared job with its schedule, last run and queue, and the workers seen lately."""
    site = web.site(request)
    session = web.db(request)
    stall = site.settings["jobs"]["stall_minutes"]
    return web.render(request, "jobs/admin_jobs.html", {
        "jobs": status.overview(site, session),
        "workers": status.workers(session, stall_minutes=stall),
        "health": status.health(site, session, stall),
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
