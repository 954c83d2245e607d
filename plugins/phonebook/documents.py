"""The phonebook's documents for the core search: what each audience may find about a colleague.

A person's fields go into two documents: ``profile`` with the fields every employee may see,
and ``profile_groups`` with the fields only colleagues in the person's groups may see (found
only by members of those groups). Fields only the person may see are never indexed. The core
search already indexes names; these documents add job title, expertise, room, phones and the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from organet_plugins.phonebook.access import FieldRules, load_rules
from organet_plugins.phonebook.models import Expertise, Profile
from sqlalchemy.orm import Session

from organet.people import User
from organet.search import SearchDocument, index, remove

INDEXED = ("job_title", "expertise", "room", "work_phone", "extension", "mobile", "languages", "about")
KINDS = {"employees": "profile", "groups": "profile_groups"}
BATCH = 1000


def _text(profile: Profile | None, tags: Sequence[str], fields: set[str]) -> str:
    parts: list[str] = []
    for field in INDEXED:
        if field not in fields:
            continue
        if field == "expertise":
            parts += tags
        elif field == "languages":
            parts += profile.languages if profile is not None else []
        elif profile is not None and getattr(profile, field):
            value = getattr(profile, field)
            parts.append(value)
            if field in ("work_phone", "extension", "mobile"):
                parts.append("".join(c for c in value if c.isdecimal()))
    return " ".join(parts)


def documents_for(person: User, profile: Profile | None, tags: Sequence[str],
                  rules: FieldRules) -> dict[str, SearchDocument | None]:
    """Return ``{kind: document or None}`` for one person; ``None`` means the kind has nothing to find."""
    found: dict[str, SearchDocument | None] = {}
    for level, kind in KINDS.items():
        fields = {f for f, chosen in rules.levels.items() if chosen == level}
        text = _text(profile, tags, fields) if person.active and person.kind != "service" else ""
        if not text:
            found[kind] = None
            continue
        found[kind] = SearchDocument(
            plugin="phonebook", kind=kind, object_id=str(person.id), title=person.name, text=text,
            url=f"/phonebook/people/{person.username}", visibility="employees" if level == "employees" else "groups",
            group_ids=frozenset(person.group_ids) if level == "groups" else frozenset(), owner_id=person.id)
    return found


def index_people(session: Session, person_ids: Sequence[int], rules: FieldRules | None = None) -> None:
    """Bring these people's phonebook documents up to date, in the caller's transaction."""
    rules = rules or load_rules(session)
    for person, profile, tags in _load(session, list(person_ids)):
        for kind, doc in documents_for(person, profile, tags, rules).items():
            if doc is None:
                remove(session, "phonebook", kind, str(person.id))
            else:
                index(session, doc)


def all_documents(session: Session, kind: str) -> Iterator[SearchDocument]:
    """Yield every document of ``kind``, a thousand people per round of queries (for reindexing)."""
    rules = load_rules(session)
    last = 0
    while True:
        ids = list(session.scalars(sa.select(User.id).where(User.id > last, User.active)
                                   .order_by(User.id).limit(BATCH)))
        if not ids:
            return
        for person, profile, tags in _load(session, ids):
            doc = documents_for(person, profile, tags, rules)[kind]
            if doc is not None:
                yield doc
        last = ids[-1]


def _load(session: Session, ids: list[int]) -> Iterator[tuple[User, Profile | None, list[str]]]:
    people = session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)).all()
    profiles = {p.person_id: p for p in session.scalars(sa.select(Profile).where(Profile.person_id.in_(ids)))}
    tags: dict[int, list[str]] = {}
    for person_id, label in session.execute(sa.select(Expertise.person_id, Expertise.label)
                                            .where(Expertise.person_id.in_(ids))):
        tags.setdefault(person_id, []).append(label)
    for person in people:
        yield person, profiles.get(person.id), tags.get(person.id, [])
