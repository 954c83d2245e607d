"""The tables of background jobs: each job's schedule and last run, queued runs, and worker heartbeats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow


class JobState(Model):
    """One row per declared job: when it runs next, who holds its lease, and how its last run went.

    The lease (``locked_by`` until ``locked_until``) is what keeps a job from running twice at
    once across workers: a worker takes it with one conditional UPDATE, which only one of
    several racing workers can win, and a crashed worker's lease simply expires.
    """

    __tablename__ = "jobs_states"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    next_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(sa.String(120))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_outcome: Mapped[str] = mapped_column(sa.String(20), default="")
    last_duration_ms: Mapped[int | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    last_worker: Mapped[str] = mapped_column(sa.String(120), default="")
    failures: Mapped[int] = mapped_column(default=0)
    runs: Mapped[int] = mapped_column(default=0)


class Task(Model):
    """A queued run of a job with its payload, added by :func:`organet.jobs.enqueue`.

    Deleted in the same transaction as the job's own changes when the run succeeds; kept with
    ``failed=True`` and the error when it failed ``max_attempts`` times.
    """

    __tablename__ = "jobs_tasks"
    __table_args__ = (sa.Index("ix_jobs_tasks_due", "failed", "name", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    key: Mapped[str | None] = mapped_column(sa.String(200))
    run_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    failed: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")


class WorkerBeat(Model):
    """A process that runs jobs (``organet worker`` or ``organet serve``) and when it last said so."""

    __tablename__ = "jobs_workers"

    id: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(120), default="")
    pid: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
