"""Queueing mail in the caller's transaction (:func:`send`) and delivering it over SMTP (the ``mail.send`` job).

A request never talks to the mail server: it adds rows to the outbox, and the job sends
them with retries and back-off. Each message is claimed by one worker with one conditional
UPDATE before it is sent, so several workers never send the same message twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.errors import OrganetError
from organet.jobs import enqueue
from organet.jobs.runner import backoff
from organet.mail.models import FAILED, QUEUED, SENDING, SENT, Message

if TYPE_CHECKING:
    from organet.jobs import JobContext

log = logging.getLogger("organet.mail")

ADDRESS = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+$")
MAX_ATTEMPTS = 25  # with back-off capped at an hour: about a day of trying
BATCH = 200
CLAIM_FOR = dt.timedelta(minutes=5)
SMTP_TIMEOUT = 30


class MailError(OrganetError):
    """Mail could not be queued (a bad address) or the SMTP server could not be reached."""


def send(session: Session, to: str | Iterable[str], subject: str, text: str, html: str | None = None
         ) -> list[Message]:
    """Queue a mail to ``to`` (one address or several) in the caller's transaction.

    Each recipient gets a message of their own, so no one sees the others' addresses. The
    mail is sent by the ``mail.send`` job within seconds after the transaction commits (and
    never when it rolls back), with retries while the mail server is away. ``text`` is the
    plain-text body; ``html`` an optional HTML alternative (escape user text in it).
    Raises :class:`MailError` for an address that is not one.

    Example::

        organet.mail.send(web.db(request), person.email, _("Your booking"), body)
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise MailError("A mail needs at least one recipient.")
    for address in recipients:
        if not ADDRESS.match(address or "") or len(address) > 320:
            raise MailError(f"{address!r} is not an e-mail address; use one such as anna@example.org.")
    subject = " ".join(subject.split())[:300]  # no line breaks: they would start new headers
    messages = [Message(recipient=address, subject=subject, text=text, html=html,
                        message_id=secrets.token_hex(16), status=QUEUED, attempts=0)
                for address in recipients]
    session.add_all(messages)
    enqueue(session, "mail.send", {}, key="outbox")
    return messages


def deliver(ctx: JobContext) -> None:
    """The ``mail.send`` job: send every queued message that is due; raise when the server cannot be reached.

    Raising makes the outage visible in ``organet jobs`` and /admin/jobs; the messages keep
    their own retry times, so the job's retries only decide when to look again.
    """
    settings = ctx.site.settings["mail"]
    if not settings["host"]:
        return  # no SMTP server configured: mail waits in the outbox (see [mail] host)
    db = ctx.site.db
    now = ctx.now
    due = sa.or_(sa.and_(Message.status == QUEUED, Message.next_attempt_at <= now),
                 sa.and_(Message.status == SENDING, Message.claimed_until < now))
    with db.session() as session:
        ids = list(session.scalars(sa.select(Message.id).where(due).order_by(Message.id).limit(BATCH)))
    if not ids:
        return
    connection: smtplib.SMTP | None = None
    sent = 0
    try:
        for done, message_id in enumerate(ids):
            ctx.progress(done, len(ids))
            message = _claim(db, message_id, ctx.worker_id, now)
            if message is None:
                continue  # another worker has it
            try:
                if connection is None:
                    connection = _connect(settings)
                connection.send_message(_compose(message, settings, ctx.site.config.site["name"]))
            except (smtplib.SMTPException, OSError) as error:
                permanent = _is_permanent(error)
                _retry(db, message, f"{type(error).__name__}: {error}", now, permanent)
                if permanent:
                    continue
                raise MailError(f"The SMTP server {settings['host']}:{settings['port']} could not take mail: "
                                f"{error}. {len(ids) - done} message(s) wait and will be retried.") from error
            _mark_sent(db, message.id)
            sent += 1
    finally:
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass  # the messages are marked already; a rude goodbye changes nothing
    log.info("mail: sent %d message(s)", sent)


def _claim(db: Any, message_id: int, worker_id: str, now: dt.datetime) -> Message | None:
    """Take one message for sending: only one worker's UPDATE can match the row."""
    with db.session() as session:
        result = session.execute(sa.update(Message).where(
            Message.id == message_id,
            sa.or_(sa.and_(Message.status == QUEUED, Message.next_attempt_at <= now),
                   sa.and_(Message.status == SENDING, Message.claimed_until < now)),
        ).values(status=SENDING, claimed_by=worker_id, claimed_until=now + CLAIM_FOR,
                 attempts=Message.attempts + 1))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(Message, message_id)


def _mark_sent(db: Any, message_id: int) -> None:
    with db.session() as session:
        session.execute(sa.update(Message).where(Message.id == message_id).values(
            status=SENT, sent_at=utcnow(), claimed_by=None, claimed_until=None, last_error=""))


def _retry(db: Any, message: Message, error: str, now: dt.datetime, permanent: bool) -> None:
    gave_up = permanent or message.attempts >= MAX_ATTEMPTS
    with db.session() as session:
        session.execute(sa.update(Message).where(Message.id == message.id).values(
            status=FAILED if gave_up else QUEUED, next_attempt_at=now + backoff(message.attempts),
            claimed_by=None, claimed_until=None, last_error=error[:2000]))
    if gave_up:
        log.error("mail to %s given up after %d attempt(s): %s", message.recipient, message.attempts, error)


def _is_permanent(error: BaseException) -> bool:
    """A 5xx answer about this message (refused recipient, rejected content) will not change by retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _connect(settings: dict[str, Any]) -> smtplib.SMTP:
    host, port = settings["host"], settings["port"]
    connection: smtplib.SMTP
    if port == 465:
        connection = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if settings["starttls"]:
            connection.starttls(context=ssl.create_default_context())
    if settings["username"]:
        connection.login(settings["username"], settings["password"])
    return connection


def _compose(message: Message, settings: dict[str, Any], site_name: str) -> EmailMessage:
    sender = settings["sender"]
    domain = sender.rpartition("@")[2] or "organet"
    mail = EmailMessage()
    mail["From"] = formataddr((site_name, sender))
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = f"<{message.message_id}@{domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    return mail
