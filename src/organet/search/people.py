"""The core's people in the index: one document of kind ``person`` per active person who signs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from organet.people.models import Membership, User
from organet.search.documents import SearchDocument, index, remove

PLUGIN = "people"
KIND = "person"


def person_document(user: Any) -> SearchDocument:
    """Return the search document for a person: found by name, username, e-mail address and groups."""
    groups = [m.group.name for m in getattr(user, "memberships", ()) if m.group is not None]
    return SearchDocument(
        plugin=PLUGIN, kind=KIND, object_id=str(user.id), title=user.name,
        # The address whole, and its parts: PostgreSQL's parser keeps an address as one token.
        text=" ".join([user.username, user.email, re.sub(r"[@._+-]+", " ", user.email), *groups]),
        url=f"/people/{user.username}", visibility="employees", owner_id=user.id, language="nl",
    )


def searchable(user: Any) -> bool:
    """True for people others should find: active, and not a service account."""
    return bool(user.active) and user.kind != "service"


def index_person(session: Session, user: Any) -> None:
    """Bring ``user``'s person document up to date (or remove it when they are inactive or a service).

    Call it in the transaction that creates, renames, (de)activates or regroups someone;
    ``organet search reindex --plugin people`` rebuilds all of them.
    """
    session.flush()
    if searchable(user):
        index(session, person_document(user))
    else:
        remove(session, PLUGIN, KIND, str(user.id))


def people_documents(session: Session) -> Iterator[SearchDocument]:
    """Yield the document of every searchable person, for reindexing."""
    statement = (sa.select(User).where(User.active.is_(True), User.kind != "service")
                 .options(selectinload(User.memberships).joinedload(Membership.group)).order_by(User.id)
                 .execution_options(yield_per=1000))
    for user in session.scalars(statement):
        yield person_document(user)
