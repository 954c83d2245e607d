"""Running jobs: take a job's lease, run it in its own transaction, record the outcome, retry with back-off.

Every worker process (``organet worker``, or the thread ``organet serve`` starts) calls
:func:`run_pending` in a loop. All coordination goes through the database, so several
workers on one PostgreSQL database, or threads on one SQLite file, never run a job twice
at once: a worker runs a job only after one conditional UPDATE gave it the job's lease.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import i18n
from organet.db import utcnow
from organet.errors import Busy
from organet.jobs.models import JobState, Task, WorkerBeat
from organet.types import Job

if TYPE_CHECKING:
    from organet.site import Site

log = logging.getLogger("organet.jobs")

BACKOFF_BASE = dt.timedelta(seconds=10)
BACKOFF_CAP = dt.timedelta(hours=1)
TASKS_PER_PASS = 50
HEARTBEAT_EVERY = dt.timedelta(seconds=30)
FORGET_WORKERS_AFTER = dt.timedelta(days=1)
FORGET_FAILED_TASKS_AFTER = dt.timedelta(days=30)
POLL_SECONDS = 2.0


def backoff(attempts: int) -> dt.timedelta:
    """Return the wait before the next try after ``attempts`` failures: 10 s, 20 s, 40 s ..., at most an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def new_worker_id() -> str:
    """Return a name for this process's job runner: host, process id and a random suffix."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class JobContext:
    """What a job function receives: ``def expire_posts(ctx: JobContext) -> None``.

    ``session`` is the job's own transaction, committed when the function returns and rolled
    back when it raises (a queued run is marked done in that same transaction, so its work
    and its completion are one). ``payload`` is what :func:`organet.jobs.enqueue` was given
    (``{}`` for a periodic run); ``attempt`` is 1 on the first try; ``now`` is the time the
    run started. Call ``progress(done, total)`` in long jobs: ``organet jobs run`` shows a bar.
    """

    site: Site
    session: Session
    payload: dict[str, Any]
    job: Job
    worker_id: str
    attempt: int = 1
    now: dt.datetime = field(default_factory=utcnow)
    on_progress: Callable[[int, int | None], Any] | None = None

    def progress(self, done: int, total: int | None = None) -> None:
        """Report how far the job is: ``done`` items of ``total`` (``None`` when unknown)."""
        if self.on_progress is not None:
            self.on_progress(done, total)

    def setting(self, plugin: str, key: str) -> Any:
        """Return a plugin's setting, as an admin last set it (the same as ``organet.web.setting``)."""
        return self.site.setting(plugin, key)


@dataclass(frozen=True)
class Outcome:
    """How one run went: ``ok``, the error text when not, and how long it took."""

    job: str
    ok: bool
    error: str
    duration_ms: int


class _Clock:
    """The time as a run sees it: ``now`` when the pass began (a test may choose it) plus real time since."""

    def __init__(self, now: dt.datetime | None) -> None:
        self.start = now or utcnow()
        self._monotonic = time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self._monotonic)


def run_pending(site: Site, worker_id: str, *, now: dt.datetime | None = None) -> int:
    """Run every job that is due, as the worker ``worker_id``, and return how many runs were made.

    A periodic job is due when its ``next_run_at`` has come; a queued job when one of its
    queued runs has. Jobs another worker is running are skipped. ``now`` lets a test pretend
    that time has passed (to see a retry after its back-off) without waiting.
    """
    clock = _Clock(now)
    _refresh_runtime(site)
    heartbeat(site, worker_id, clock())
    ensure_states(site, clock())
    runs = 0
    for name in due_jobs(site, clock()):
        if not claim(site, name, worker_id, clock()):
            continue
        try:
            runs += _run_claimed(site, name, worker_id, clock)
        finally:
            release(site, name, worker_id)
    return runs


def run_now(site: Site, name: str, worker_id: str, payload: dict[str, Any] | None = None,
            on_progress: Callable[[int, int | None], Any] | None = None) -> Outcome:
    """Run the job ``name`` once, now, whatever its schedule (``organet jobs run NAME``).

    Raises :class:`organet.errors.Busy` when another worker is running it at this moment.
    """
    clock = _Clock(None)
    ensure_states(site, clock())
    if not claim(site, name, worker_id, clock()):
        raise Busy(f"The job {name!r} is running on another worker right now; try again when it has finished.")
    try:
        _plugin, job = site.jobs[name]
        outcome = _execute(site, job, worker_id, clock, payload or {}, None, 1, on_progress)
        _record(site, job, outcome, worker_id, clock(), periodic_run=False)
        return outcome
    finally:
        release(site, name, worker_id)


def _refresh_runtime(site: Site) -> None:
    runtime = site.state.get("runtime")
    if runtime is not None:
        with site.db.session() as session:
            runtime.refresh(session)


def heartbeat(site: Site, worker_id: str, now: dt.datetime, force: bool = False) -> None:
    """Tell the site this worker is alive (at most every 30 s); forget workers silent for a day."""
    beats: dict[str, dt.datetime] = site.state.setdefault("jobs_heartbeats", {})
    last = beats.get(worker_id)
    if not force and last is not None and abs(now - last) < HEARTBEAT_EVERY:
        return
    with site.db.session() as session:
        updated = session.execute(sa.update(WorkerBeat).where(WorkerBeat.id == worker_id).values(last_seen_at=now))
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            session.add(WorkerBeat(id=worker_id, host=socket.gethostname()[:120], pid=os.getpid(), started_at=now,
                                   last_seen_at=now))
        session.execute(sa.delete(WorkerBeat).where(WorkerBeat.last_seen_at < now - FORGET_WORKERS_AFTER))
        session.execute(sa.delete(Task).where(Task.failed.is_(True),
                                              Task.created_at < now - FORGET_FAILED_TASKS_AFTER))
    beats[worker_id] = now


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(JobState).values(rows).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(JobState).values(rows).on_conflict_do_nothing())
    else:  # pragma: no cover - organet supports SQLite and PostgreSQL
        session.execute(sa.insert(JobState).values(rows))


def ensure_states(site: Site, now: dt.datetime) -> None:
    """Give every declared job its row (once per process): periodic jobs are due at once on a new site."""
    if site.state.get("jobs_states_ready"):
        return
    with site.db.write_session() as session:  # read, then insert: on SQLite the write lock must come first
        known = set(session.scalars(sa.select(JobState.name)))
        missing = [{"name": name, "next_run_at": now if job.every else None, "last_outcome": "", "last_error": "",
                    "last_worker": "", "failures": 0, "runs": 0}
                   for name, (_plugin, job) in site.jobs.items() if name not in known]
        if missing:
            _insert_ignoring_duplicates(session, missing)
    site.state["jobs_states_ready"] = True


def due_jobs(site: Site, now: dt.datetime) -> list[str]:
    """Return the names of declared jobs that have work due now and whose lease is free."""
    free = sa.or_(JobState.locked_until.is_(None), JobState.locked_until < now)
    periodic = [name for name, (_plugin, job) in site.jobs.items() if job.every]
    with site.db.session() as session:
        names = list(session.scalars(sa.select(JobState.name).where(
            JobState.name.in_(periodic), JobState.next_run_at <= now, free).order_by(JobState.next_run_at)))
        queued = session.scalars(sa.select(Task.name).distinct().join(JobState, JobState.name == Task.name).where(
            Task.name.in_(list(site.jobs)), Task.failed.is_(False), Task.run_at <= now, free))
        names += [name for name in sorted(queued) if name not in names]
    return names


def claim(site: Site, name: str, worker_id: str, now: dt.datetime) -> bool:
    """Take the lease of job ``name`` for ``worker_id``; False when another worker holds it.

    One conditional UPDATE decides: on PostgreSQL a racing worker waits for the row and then
    finds the lease taken; on SQLite writers take turns. A lease ends when released, or when
    ``job.timeout`` has passed (its worker is taken to have died).
    """
    _plugin, job = site.jobs[name]
    with site.db.session() as session:
        result = session.execute(sa.update(JobState).where(
            JobState.name == name, sa.or_(JobState.locked_until.is_(None), JobState.locked_until < now),
        ).values(locked_by=worker_id, locked_until=now + job.timeout))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(site: Site, name: str, worker_id: str) -> None:
    """Give the lease of job ``name`` back, if ``worker_id`` still holds it."""
    with site.db.session() as session:
        session.execute(sa.update(JobState).where(JobState.name == name, JobState.locked_by == worker_id)
                        .values(locked_by=None, locked_until=None))


def _extend(site: Site, name: str, worker_id: str, until: dt.datetime, task_id: int, now: dt.datetime) -> bool:
    """Keep the lease for one more run and mark that run started, in one transaction."""
    with site.db.session() as session:
        result = session.execute(sa.update(JobState).where(JobState.name == name, JobState.locked_by == worker_id)
                                 .values(locked_until=until))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.execute(sa.update(Task).where(Task.id == task_id).values(started_at=now))
        return True


def _run_claimed(site: Site, name: str, worker_id: str, clock: _Clock) -> int:
    _plugin, job = site.jobs[name]
    runs = 0
    with site.db.session() as session:
        state = session.get(JobState, name)
        periodic_due = bool(job.every and state and state.next_run_at and state.next_run_at <= clock())
        attempt = (state.failures + 1) if state else 1
    if periodic_due:
        outcome = _execute(site, job, worker_id, clock, {}, None, attempt, None)
        _record(site, job, outcome, worker_id, clock(), periodic_run=True)
        runs += 1
    with site.db.session() as session:
        tasks = session.execute(sa.select(Task.id, Task.payload, Task.attempts).where(
            Task.name == name, Task.failed.is_(False), Task.run_at <= clock(),
        ).order_by(Task.run_at, Task.id).limit(TASKS_PER_PASS)).all()
    for task_id, payload, attempts in tasks:
        if not _extend(site, name, worker_id, clock() + job.timeout, task_id, clock()):
            break  # our lease expired and another worker took the job over
        outcome = _execute(site, job, worker_id, clock, dict(payload or {}), task_id, attempts + 1, None)
        _record(site, job, outcome, worker_id, clock(), periodic_run=False)
        if not outcome.ok:
            _retry_task(site, job, task_id, attempts + 1, outcome.error, clock())
        runs += 1
    return runs


def _execute(site: Site, job: Job, worker_id: str, clock: _Clock, payload: dict[str, Any], task_id: int | None,
             attempt: int, on_progress: Callable[[int, int | None], Any] | None) -> Outcome:
    """Run the job function in its own transaction; a queued run is deleted in that same transaction."""
    i18n.set_language(site.config.site["language"], site.config.site["time_zone"], site.state.get("catalogues"))
    started = time.monotonic()
    error = ""
    try:
        with site.db.session() as session:
            ctx = JobContext(site=site, session=session, payload=payload, job=job, worker_id=worker_id,
                             attempt=attempt, now=clock(), on_progress=on_progress)
            job.func(ctx)
            if task_id is not None:
                session.execute(sa.delete(Task).where(Task.id == task_id))
    except Exception as failure:  # a job's failure is recorded and retried; it must not stop the worker
        error = f"{type(failure).__name__}: {failure}"[:2000]
        log.warning("job %s failed (attempt %d of %d): %s", job.name, attempt, job.max_attempts, error,
                    exc_info=failure)
    duration_ms = int((time.monotonic() - started) * 1000)
    return Outcome(job=job.name, ok=not error, error=error, duration_ms=duration_ms)


def _record(site: Site, job: Job, outcome: Outcome, worker_id: str, now: dt.datetime, periodic_run: bool) -> None:
    """Write the outcome onto the job's row and, for a periodic run, when it runs next."""
    with site.db.write_session() as session:
        state = session.get(JobState, job.name)
        if state is None:  # pragma: no cover - ensure_states made it
            return
        state.last_run_at = now - dt.timedelta(milliseconds=outcome.duration_ms)
        state.last_outcome = "ok" if outcome.ok else "error"
        state.last_duration_ms = outcome.duration_ms
        state.last_error = outcome.error
        state.last_worker = worker_id
        state.runs += 1
        state.failures = 0 if outcome.ok else state.failures + 1
        if periodic_run and job.every:
            wait = job.every
            if not outcome.ok and state.failures < job.max_attempts:
                wait = min(backoff(state.failures), job.every)
            state.next_run_at = now + wait


def _retry_task(site: Site, job: Job, task_id: int, attempts: int, error: str, now: dt.datetime) -> None:
    failed = attempts >= job.max_attempts
    with site.db.session() as session:
        session.execute(sa.update(Task).where(Task.id == task_id).values(
            attempts=attempts, last_error=error, started_at=None, failed=failed,
            run_at=now + backoff(attempts)))
    if failed:
        log.error("job %s gave up after %d attempts: %s", job.name, attempts, error)


class JobRunner:
    """Runs due jobs in a loop until told to stop: the body of ``organet worker`` and of ``serve``'s thread."""

    def __init__(self, site: Site, worker_id: str | None = None, poll_seconds: float = POLL_SECONDS) -> None:
        self.site = site
        self.worker_id = worker_id or new_worker_id()
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Run due jobs, then wait a little, until :meth:`stop` is called (or a signal sets ``stopping``)."""
        log.info("job runner %s started", self.worker_id)
        while not self.stopping.is_set():
            try:
                run_pending(self.site, self.worker_id)
            except Busy:
                log.info("database busy; job runner %s tries again shortly", self.worker_id)
            except Exception:  # keep the loop alive through a lost connection; the next pass retries
                log.exception("job runner %s: pass failed", self.worker_id)
            self.stopping.wait(self.poll_seconds)
        try:
            with self.site.db.session() as session:  # a runner that stopped on purpose is not a stalled one
                session.execute(sa.delete(WorkerBeat).where(WorkerBeat.id == self.worker_id))
        except Exception:  # noqa: S110 - best effort: the row is forgotten after a day anyway
            pass
        log.info("job runner %s stopped", self.worker_id)

    def start_thread(self) -> None:
        """Run :meth:`run` in a daemon thread (``organet serve``: a one-process site needs no cron)."""
        self._thread = threading.Thread(target=self.run, name=f"organet-jobs-{self.worker_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to stop after the job it is running, and wait for the thread (if any)."""
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
