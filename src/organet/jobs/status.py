"""What the jobs are doing, for people: the overview behind ``organet jobs``, the admin page and /healthz."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.jobs.models import JobState, Task, WorkerBeat

if TYPE_CHECKING:
    from organet.site import Site

DEFAULT_STALL_MINUTES = 5


@dataclass(frozen=True)
class JobRow:
    """One declared job as shown to an admin: its schedule, last run and queue."""

    name: str
    plugin: str
    description: str
    every: dt.timedelta | None
    next_run_at: dt.datetime | None
    last_run_at: dt.datetime | None
    last_outcome: str
    last_duration_ms: int | None
    last_error: str
    failures: int
    running_on: str
    queued: int
    failed: int


def overview(site: Site, session: Session, now: dt.datetime | None = None) -> list[JobRow]:
    """Return every declared job with its state, in name order (three queries, whatever the number of jobs)."""
    now = now or utcnow()
    states = {s.name: s for s in session.scalars(sa.select(JobState).where(JobState.name.in_(list(site.jobs))))}
    counts: dict[tuple[str, bool], int] = {}
    for name, failed, count in session.execute(
            sa.select(Task.name, Task.failed, sa.func.count()).group_by(Task.name, Task.failed)):
        counts[(name, bool(failed))] = int(count)
    rows = []
    for name, (plugin, job) in sorted(site.jobs.items()):
        state = states.get(name)
        running = ""
        if state is not None and state.locked_by and state.locked_until and state.locked_until > now:
            running = state.locked_by
        rows.append(JobRow(
            name=name, plugin=plugin, description=job.description, every=job.every,
            next_run_at=state.next_run_at if state else None, last_run_at=state.last_run_at if state else None,
            last_outcome=state.last_outcome if state else "",
            last_duration_ms=state.last_duration_ms if state else None,
            last_error=state.last_error if state else "", failures=state.failures if state else 0,
            running_on=running, queued=counts.get((name, False), 0), failed=counts.get((name, True), 0)))
    return rows


def workers(session: Session, now: dt.datetime | None = None, stall_minutes: int = DEFAULT_STALL_MINUTES
            ) -> list[dict[str, Any]]:
    """Return the workers seen in the last day, newest first, each marked alive or silent."""
    now = now or utcnow()
    limit = now - dt.timedelta(minutes=stall_minutes)
    return [{"id": beat.id, "host": beat.host, "pid": beat.pid, "started_at": beat.started_at,
             "last_seen_at": beat.last_seen_at, "alive": beat.last_seen_at >= limit}
            for beat in session.scalars(sa.select(WorkerBeat).order_by(WorkerBeat.last_seen_at.desc()).limit(50))]


def health(site: Site, session: Session, stall_minutes: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Report ``ok: False`` when work has been due for ``stall_minutes`` and no worker was heard from since."""
    now = now or utcnow()
    limit = now - dt.timedelta(minutes=stall_minutes)
    alive = session.scalar(sa.select(sa.func.count()).select_from(WorkerBeat).where(WorkerBeat.last_seen_at >= limit))
    if alive:
        return {"ok": True, "detail": f"{alive} worker(s) running jobs"}
    overdue_task = session.scalar(sa.select(Task.id).where(
        Task.failed.is_(False), Task.run_at < limit, Task.name.in_(list(site.jobs))).limit(1))
    overdue_job = session.scalar(sa.select(JobState.name).where(
        JobState.next_run_at < limit, JobState.name.in_(list(site.jobs))).limit(1))
    if overdue_task is not None or overdue_job is not None:
        return {"ok": False, "detail": f"jobs are due but no worker was heard from for {stall_minutes} minutes; "
                                       "start `organet worker` or let `organet serve` run jobs"}
    return {"ok": True, "detail": "no worker running, and nothing is waiting"}
