"""Password reset by e-mail: a single-use link that expires, sent through the core's mail outbox."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import security
from organet.auth.models import PasswordReset
from organet.db import utcnow
from organet.people.models import User

log = logging.getLogger("organet.auth")


def create(session: Session, user: User, minutes: int) -> str:
    """Make a reset link token for ``user`` (older unused ones stop working); return it (only the digest is kept)."""
    session.execute(sa.delete(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(digest=security.digest(token), user_id=user.id,
                              expires_at=utcnow() + dt.timedelta(minutes=minutes)))
    return token


def find(session: Session, token: str) -> PasswordReset | None:
    """Return the unused, unexpired reset of ``token``, or ``None``."""
    if not token or len(token) > 100:
        return None
    reset = session.get(PasswordReset, security.digest(token))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def spend(session: Session, reset: PasswordReset) -> None:
    """Mark ``reset`` used, and forget every other reset of the same person."""
    reset.used_at = utcnow()
    session.execute(sa.delete(PasswordReset).where(PasswordReset.user_id == reset.user_id,
                                                   PasswordReset.digest != reset.digest))


def send_mail(session: Session, to: str, subject: str, text: str) -> bool:
    """Queue a message in the core's outbox (``organet.mail.send``); False when no outbox is there."""
    from organet import mail

    send = getattr(mail, "send", None)
    if send is None:
        log.warning("organet.mail.send is not available; the password reset mail to %s was not sent", to)
        return False
    try:
        send(session, to, subject, text)
    except mail.MailError as error:
        log.warning("password reset mail not queued: %s", error)
        return False
    return True


def notify(session: Session, user: User, site_name: str, change: str) -> None:
    """Tell the person by mail that a security setting of theirs changed (so that a stranger's change shows)."""
    from organet.i18n import gettext as _

    if not user.email:
        return
    text = _("%(change)s on your account at %(site)s.\n\nWas this you? Then there is nothing to do. "
             "If not, reset your password at once and tell the helpdesk.", change=change, site=site_name)
    send_mail(session, user.email, _("A security change on your account"), text)
