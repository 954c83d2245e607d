"""The mail plugin's hook implementations: the outbox table and the job that sends it."""

from __future__ import annotations

import datetime as dt

from organet.hooks import hookimpl
from organet.mail.models import Message
from organet.mail.outbox import deliver
from organet.types import Job


@hookimpl
def register_models() -> list[type]:
    return [Message]


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("mail.send", deliver, description="Send queued mail through the SMTP server in [mail]",
                every=dt.timedelta(seconds=30), max_attempts=5)]
