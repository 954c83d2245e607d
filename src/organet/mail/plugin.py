"""The mail plugin's hook implementations: the outbox table and the job that sends it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.hooks import hookimpl
from organet.mail.models import QUEUED, SENDING, Message
from organet.mail.outbox import deliver
from organet.types import Job

if TYPE_CHECKING:
    from organet.site import Site


@hookimpl
def register_models() -> list[type]:
    return [Message]


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("mail.send", deliver, description="Send queued mail through the SMTP server in [mail]",
                every=dt.timedelta(seconds=30), max_attempts=5)]


@hookimpl
def health_status(site: Site, session: Session) -> dict[str, dict[str, Any]]:
    # Mail that waits is reported, but never makes /healthz fail: an SMTP outage is no reason
    # for a load balancer to take the web workers out.
    count, oldest = session.execute(sa.select(sa.func.count(), sa.func.min(Message.created_at))
                                    .where(Message.status.in_((QUEUED, SENDING)))).one()
    if not count:
        return {"mail": {"ok": True, "detail": "outbox empty"}}
    minutes = int((utcnow() - oldest).total_seconds() // 60) if oldest is not None else 0
    where = "no SMTP host in [mail]" if not site.settings["mail"]["host"] else "waiting to be sent"
    return {"mail": {"ok": True, "detail": f"{count} message(s) {where}, the oldest for {minutes} min"}}
