"""Queueing a run of a job from a request, a job or a command: :func:`enqueue`."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.jobs.models import Task

JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")


def enqueue(session: Session, name: str, payload: dict[str, Any] | None = None,
            run_at: dt.datetime | None = None, *, key: str | None = None) -> Task | None:
    """Queue a run of the job ``name`` with ``payload``, in the caller's transaction.

    The run happens only if the caller's transaction commits, so a request that fails never
    leaves a job behind, and one that succeeds never loses it. ``payload`` must be JSON
    (texts, numbers, lists, dicts); the job reads it as ``ctx.payload``. ``run_at`` (an aware
    datetime) delays the run. With ``key``, a run of the same job with the same key that is
    still waiting to start makes this call a no-op (it returns ``None``): use it for
    "wake up and look" jobs, such as the mail outbox, that need one run, not one per change.

    Example::

        organet.jobs.enqueue(web.db(request), "bulletin.notify", {"post_id": post.id})
    """
    if not JOB_NAME.match(name):
        raise ValueError(f"Job names are '<plugin>.<job>', such as 'bulletin.expire'; got {name!r}.")
    payload = dict(payload or {})
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as error:
        raise ValueError(f"The payload of job {name!r} must be JSON (texts, numbers, lists, dicts): {error}") from None
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError("run_at must be an aware datetime; use organet.db.utcnow() + timedelta(...)")
    if key is not None:
        waiting = session.scalar(sa.select(Task.id).where(
            Task.name == name, Task.key == key, Task.failed.is_(False), Task.started_at.is_(None)).limit(1))
        if waiting is not None:
            return None
    task = Task(name=name, payload=payload, key=key, run_at=run_at or utcnow())
    session.add(task)
    return task
