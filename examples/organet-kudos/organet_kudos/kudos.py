"""Giving kudos: the one rule-checking function that both the page and the API use."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import ValidationError
from organet.i18n import gettext as _
from organet.people import User
from organet.search import SearchDocument, index
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
    index(session, search_document(kudo, giver, receiver))  # findable once this transaction commits
    return kudo


def search_document(kudo: Kudo, giver: User, receiver: User) -> SearchDocument:
    """The kudo as organet's search finds it: by both names and the message, for every employee."""
    return SearchDocument(plugin="kudos", kind="kudo", object_id=str(kudo.id),
                          title=f"Kudos: {giver.name} → {receiver.name}", text=kudo.message, url="/kudos/",
                          date=kudo.created_at, visibility="employees", owner_id=giver.id)


def search_documents(session: Session) -> Iterator[SearchDocument]:
    """Every kudo, for ``organet search reindex``."""
    for kudo in session.scalars(latest().execution_options(yield_per=500)):
        yield search_document(kudo, kudo.giver, kudo.receiver)


def latest() -> sa.Select[tuple[Kudo]]:
    """The kudos, newest first (page through them with organet.api.paginate)."""
    return sa.select(Kudo).order_by(Kudo.created_at.desc(), Kudo.id.desc())
