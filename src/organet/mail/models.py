"""The mail outbox: one row per message and recipient, from queued to sent (or given up)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


class Message(Model):
    """A mail queued by :func:`organet.mail.send`; the ``mail.send`` job delivers it.

    A worker claims a message with one conditional UPDATE (``queued`` to ``sending`` with a
    claim that expires), sends it, and marks it ``sent``; a failed attempt puts it back as
    ``queued`` with a later ``next_attempt_at``. ``message_id`` stays the same on every
    attempt, so a receiving server can recognise a repeat after a crash.
    """

    __tablename__ = "mail_messages"
    __table_args__ = (sa.Index("ix_mail_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str | None] = mapped_column(sa.Text)
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(120))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
