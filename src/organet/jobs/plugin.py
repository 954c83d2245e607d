"""The jobs plugin's hook implementations: its tables, admin page, health check and the job thread of ``serve``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from starlette.applications import Starlette

from organet.hooks import hookimpl
from organet.i18n import N_
from organet.jobs import status, views
from organet.jobs.models import JobState, Task, WorkerBeat
from organet.jobs.runner import JobRunner
from organet.types import AdminPage, Page, Setting

if TYPE_CHECKING:
    from organet.site import Site


@hookimpl
def register_models() -> list[type]:
    return [JobState, Task, WorkerBeat]


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("stall_minutes", int, status.DEFAULT_STALL_MINUTES,
                "Minutes that jobs may be due without any worker being heard from before /healthz reports it.",
                example=5, minimum=1, maximum=24 * 60),
        Setting("poll_seconds", float, 2.0, "Seconds a worker waits between looking for due jobs.",
                example=2.0, minimum=0.1, maximum=300),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/admin/jobs", views.admin_jobs, name="admin", permission="administer-site"),
        Page("/admin/jobs/run", views.run_job, name="run", permission="administer-site", methods=("POST",)),
    ]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Background jobs"), "jobs:admin", order=40)]


@hookimpl
def health_status(site: Site, session: Session) -> dict[str, dict[str, Any]]:
    return {"jobs": status.health(site, session, site.settings["jobs"]["stall_minutes"])}


@hookimpl(trylast=True)  # after every other plugin has started: a job may need what they set up
def on_startup(app: Starlette) -> None:
    site = app.state.site
    if site.state.get("run_jobs"):
        runner = JobRunner(site, poll_seconds=site.settings["jobs"]["poll_seconds"])
        site.state["jobs_runner"] = runner
        runner.start_thread()


@hookimpl
def on_shutdown(app: Starlette) -> None:
    runner = app.state.site.state.pop("jobs_runner", None)
    if runner is not None:
        runner.stop()
