"""Giving kudos: the one rule-checking function that both the page and the API use."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import ValidationError
from organet.i18n import gettext as _
from organet.people import User
from organet_kudos.models import Kudo


def give(session: Session, giver: User, receiver_username: str, message: str, max_length: int) -> Kudo:
    """Store a thank-you from ``giver``; raise ValidationError saying which field to fix."""
    message = message.strip()
    receiver = session.scalar(sa.select(User).where(User.username == receiver_username.strip(), User.active))
    if receiver is None or receiver.kind != "employee":
        raise ValidationError(_("Choose a colleague by their username."),
                              {"to": [_("No colleague has this username.")]})
    if receiver.id == giver.id:
        raise ValidationError(_("Thank someone else: kudos to yourself do not count."),
                              {"to": [_("Choose a colleague, not yourself.")]})
    if not message or len(message) > max_length:
        raise ValidationError(_("Write a message of 1 to %(n)s characters.", n=max_length),
                              {"message": [_("Use 1 to %(n)s characters.", n=max_length)]})
    kudo = Kudo(giver_id=giver.id, receiver_id=receiver.id, message=message)
    session.add(kudo)
    session.flush()
    return kudo


def latest() -> sa.Select[tuple[Kudo]]:
    """The kudos, newest first (page through them with organet.api.paginate)."""
    return sa.select(Kudo).order_by(Kudo.created_at.desc(), Kudo.id.desc())
