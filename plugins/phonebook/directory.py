"""The directory index: search terms per person, tagged by field, and the queries that use them.

Designed for 50,000 people: one full-text index answers every search. Each term carries the
letter of its field (``n`` name, ``j`` job title, ``d`` department, ``l`` location, ``e``
expertise, ``r`` room, ``w``/``m``/``x`` work phone, mobile, extension), so a query can be
restricted to the fields the viewer may see without a second index. Phone numbers are indexed
as every suffix of their digits, so that a prefix query finds any part of a number ("5678"
finds 06-12345678). Filters are exact terms: ``g<group id>`` for a member of a group,
``mg<group id>`` for its manager, and ``t<expertise tag>``; the person page finds managers
and reports through them too, already sorted by surname.

SQLite answers with FTS5 (``phonebook_entries_fts``, created by the migration and kept in step
with ``phonebook_entries`` by triggers); PostgreSQL with a GIN index on ``terms``, which there is
itself a ``tsvector``. Why not the core search: it ranks documents across plugins, while a
directory needs prefix matching per field, phone fragments and sorting by surname.

On PostgreSQL a search costs mostly the table pages it reads: the index gives the places of the
matching rows, and each row is read for its id. So the rows are narrow (the terms once, as a
tsvector) and stored in surname order, the order of their ids: the people a search finds are then
mostly on a few pages (all Fleurs of one surname, all Van den Bergs). :func:`rebuild` writes them
in that order; the rows the periodic refresh rewrites land elsewhere until the next rebuild, which
costs speed, never correctness.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook.models import Entry, Expertise, Profile
from sqlalchemy.orm import Session

from organet.people import Group, Membership, User

NAME_FIELDS = {"name": "n", "job_title": "j", "department": "d", "location": "l", "expertise": "e", "room": "r"}
PHONE_FIELDS = {"work_phone": "w", "mobile": "m", "extension": "x"}
MIN_PHONE_PART = 2
MAX_WORDS = 6
RANK_CHARACTERS = 8
GATHER = 3000  # on PostgreSQL: fewer matches than this are gathered and sorted, this many or more read in surname order
PERSON_BITS = 23  # person ids below 8,388,608; 8 letters of 5 bits and the id fill a signed 64-bit integer


def words(text: str) -> list[str]:
    """Split ``text`` into lower-case ASCII words: "Van den Bérg-Smit" → ["van", "den", "berg", "smit"]."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c if c.isascii() and c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return plain.split()


def tag_of(label: str) -> str:
    """Return the normalised form of an expertise tag: "Palliatieve zorg" → "palliatieve zorg"."""
    return " ".join(words(label))[:80]


def sort_rank(sort_name: str, person_id: int) -> int:
    """Return the directory id of a person: the first letters of their sort name, then their id, as one number.

    Ordering by it is ordering by surname (to eight letters, then by id), so the full-text index,
    which hands out matches in id order, gives the first page of a search already sorted.
    """
    if not 0 < person_id < 1 << PERSON_BITS:
        raise ValueError(f"person id {person_id} does not fit the directory's {PERSON_BITS} bits")
    letters = " ".join(words(sort_name))[:RANK_CHARACTERS].ljust(RANK_CHARACTERS)
    code = 0
    for char in letters:
        code = code * 32 + (ord(char) - 96 if "a" <= char <= "z" else 0)
    return (code << PERSON_BITS) | person_id


def person_of(rank: int) -> int:
    """Return the person id inside a directory id made by :func:`sort_rank`."""
    return rank & ((1 << PERSON_BITS) - 1)


def phone_digits(number: str) -> list[str]:
    """Return the digit strings a number is known by: "+31 6 1234 5678" → ["31612345678", "0612345678"]."""
    digits = "".join(c for c in number if c.isdecimal())
    if not digits:
        return []
    forms = [digits]
    if number.strip().startswith("+31") or digits.startswith("0031"):
        forms.append("0" + digits.removeprefix("00").removeprefix("31"))
    return forms


def terms_for(person: User, profile: Profile | None, tags: Iterable[str],
              groups: Iterable[tuple[Group, str]]) -> str:
    """Return the tagged terms of one person for the index."""
    terms: list[str] = []
    name_words = words(f"{person.given_name} {person.tussenvoegsel} {person.surname} {person.display_name}")
    joined = "".join(words(f"{person.tussenvoegsel} {person.surname}"))
    terms += [f"n{w}" for w in dict.fromkeys([*name_words, joined, *words(person.username)]) if w]
    for group, role in groups:
        letter = "l" if group.kind == "location" else "d"
        terms += [f"{letter}{w}" for w in words(group.name)]
        terms.append(f"mg{group.id}" if role == "manager" else f"g{group.id}")
    for tag in tags:
        terms += [f"e{w}" for w in words(tag)]
        terms.append("t" + "".join(words(tag)))
    if profile is not None:
        terms += [f"j{w}" for w in words(profile.job_title)]
        terms += [f"r{w}" for w in words(profile.room)]
        for field, letter in PHONE_FIELDS.items():
            for digits in phone_digits(getattr(profile, field)):
                terms += [f"{letter}{digits[i:]}" for i in range(len(digits) - MIN_PHONE_PART + 1)]
    return " ".join(dict.fromkeys(terms))


def reindex(session: Session, person_ids: Sequence[int]) -> None:
    """Rebuild the index rows of these people (after a profile, name or group change). Batched queries only.

    The rows are written in surname order (see the module docstring).
    """
    if not person_ids:
        return
    ids = list(dict.fromkeys(person_ids))
    people = {p.id: p for p in session.scalars(sa.select(User).where(User.id.in_(ids)))}
    profiles = {p.person_id: p for p in session.scalars(sa.select(Profile).where(Profile.person_id.in_(ids)))}
    tags: dict[int, list[str]] = {}
    for person_id, label in session.execute(sa.select(Expertise.person_id, Expertise.label)
                                            .where(Expertise.person_id.in_(ids))):
        tags.setdefault(person_id, []).append(label)
    groups: dict[int, list[tuple[Group, str]]] = {}
    for person_id, role, group in session.execute(sa.select(Membership.user_id, Membership.role, Group)
                                                  .join(Group, Group.id == Membership.group_id)
                                                  .where(Membership.user_id.in_(ids))):
        groups.setdefault(person_id, []).append((group, role))
    session.execute(sa.delete(Entry).where(Entry.person_id.in_(ids)))
    rows = [{"id": sort_rank(person.sort_name, pid), "person_id": pid,
             "terms": terms_for(person, profiles.get(pid), tags.get(pid, ()), groups.get(pid, ()))}
            for pid, person in people.items() if person.active and person.kind != "service"]
    rows.sort(key=lambda row: row["id"])
    if rows:
        session.execute(sa.insert(Entry), rows)


def rebuild(session: Session, batch: int = 2000) -> int:
    """Rebuild the whole index, ``batch`` people at a time, in surname order; return how many people there are.

    Written in surname order, PostgreSQL stores the rows in that order (see the module docstring).
    """
    session.execute(sa.delete(Entry))
    people = session.execute(sa.select(User.id, User.sort_name, User.active, User.kind)).all()
    listed = sorted(sort_rank(p.sort_name, p.id) for p in people if p.active and p.kind != "service")
    for start in range(0, len(listed), batch):
        reindex(session, [person_of(rank) for rank in listed[start:start + batch]])
    return len(people)


def in_groups(group_ids: Iterable[int], roles: Sequence[str] = ("member", "manager")) -> list[str]:
    """Return the alternative terms that mean "in one of these groups" with one of these roles."""
    prefixes = [{"member": "g", "manager": "mg"}[role] for role in roles]
    return [f"{prefix}{group_id}" for group_id in group_ids for prefix in prefixes]


def match_expression(query: str, fields: Iterable[str], filters: Sequence[list[str]] = ()) -> list[list[str]]:
    """Turn a query into groups of alternative terms: every group must match, any term in it may.

    Words made only of digits are looked for in the phone fields, other words in the name
    fields; only the ``fields`` the viewer may search are used. Returns ``[]`` when nothing
    can be searched.
    """
    allowed = set(fields)
    name_letters = [letter for field, letter in NAME_FIELDS.items() if field in allowed]
    phone_letters = [letter for field, letter in PHONE_FIELDS.items() if field in allowed]
    groups: list[list[str]] = []
    for word in words(query)[:MAX_WORDS]:
        letters = name_letters
        if word.isdecimal():
            if len(word) < MIN_PHONE_PART:
                continue
            letters = phone_letters + (["r"] if "room" in allowed else [])
        if letters:
            groups.append([f"{letter}{word}*" for letter in letters])
    groups += [list(alternatives) for alternatives in filters if alternatives]
    return groups


def _fts5(groups: list[list[str]]) -> str:
    def term(t: str) -> str:
        return f'"{t[:-1]}"*' if t.endswith("*") else f'"{t}"'
    return " AND ".join("(" + " OR ".join(term(t) for t in group) + ")" for group in groups)


def _tsquery(groups: list[list[str]]) -> str:
    def term(t: str) -> str:
        return f"{t[:-1]}:*" if t.endswith("*") else t
    return " & ".join("(" + " | ".join(term(t) for t in group) + ")" for group in groups)


# Built once: putting a statement together costs more than running it, and every search runs these.
_SQLITE_SEARCH = sa.text("SELECT rowid FROM phonebook_entries_fts WHERE phonebook_entries_fts MATCH :q "
                         "ORDER BY rowid LIMIT :limit OFFSET :offset")
# From the GIN index through a function of the phonebook's migrations (see migration cd1d11fad77f).
_PG_SEARCH = sa.text("SELECT phonebook_matches(to_tsquery('simple', :q), :limit, :offset, :up_to)")


def search(session: Session, groups: list[list[str]], limit: int, offset: int = 0) -> list[int]:
    """Return the ids of people matching every group of terms, by surname; ``limit`` at most.

    Inactive people have no entry (the refresh job removes them within minutes; callers skip
    anyone inactive they still get).
    """
    if not groups:
        return []
    if session.get_bind().dialect.name == "sqlite":
        params: dict[str, Any] = {"q": _fts5(groups), "limit": limit, "offset": offset}
        statement = _SQLITE_SEARCH
    else:
        # PostgreSQL cannot estimate how many people a prefix query matches, nor where they are in
        # surname order ("vis" matches thousands of Vissers at the end). The function gathers the
        # matches from the index and sorts them; only a query matching GATHER or more (spread over
        # the alphabet) walks the people in surname order, where the page fills quickly.
        params = {"q": _tsquery(groups), "limit": limit, "offset": offset, "up_to": GATHER}
        statement = _PG_SEARCH
    return [person_of(rank) for rank in session.scalars(statement, params)]
