"""Keeping the directory index and search documents current: background jobs and the HR import's columns.

The people plugin changes names and groups without telling other plugins, so a job looks every
few minutes at who changed (people, memberships and profiles updated since its last look) and
a nightly job rebuilds everything, which also catches removed memberships.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook import directory, documents
from organet_plugins.phonebook.access import load_rules
from organet_plugins.phonebook.directory import tag_of
from organet_plugins.phonebook.models import ABSENCE_KINDS, Absence, Expertise, Profile
from sqlalchemy.orm import Session

from organet import ValidationError
from organet.db import utcnow
from organet.people import ImportColumn, Membership, User

REFRESH_EVERY = dt.timedelta(minutes=5)
LOOK_BACK = dt.timedelta(minutes=15)
BATCH = 1000


def changed_since(session: Session, since: dt.datetime) -> list[int]:
    """The ids of people whose name, groups or phonebook profile changed since ``since``."""
    ids = set(session.scalars(sa.select(User.id).where(User.updated_at >= since)))
    ids |= set(session.scalars(sa.select(Membership.user_id).where(Membership.created_at >= since)))
    ids |= set(session.scalars(sa.select(Profile.person_id).where(Profile.updated_at >= since)))
    return sorted(ids)


def refresh(ctx: Any) -> None:
    """Periodic job: reindex the people who changed in the last minutes."""
    ids = changed_since(ctx.session, ctx.now - LOOK_BACK)
    for start in range(0, len(ids), BATCH):
        directory.reindex(ctx.session, ids[start:start + BATCH])
        documents.index_people(ctx.session, ids[start:start + BATCH])


def rebuild(ctx: Any) -> None:
    """Nightly (and after an admin changes who sees which field): rebuild the directory and search documents."""
    session = ctx.session
    total = directory.rebuild(session)
    rules = load_rules(session)
    last, done = 0, 0
    while True:
        ids = list(session.scalars(sa.select(User.id).where(User.id > last).order_by(User.id).limit(BATCH)))
        if not ids:
            break
        documents.index_people(session, ids, rules)
        last, done = ids[-1], done + len(ids)
        ctx.progress(done, total)


def _profile(session: Session, person: Any) -> Profile:
    profile = session.get(Profile, person.id)
    if profile is None:
        profile = Profile(person_id=person.id, languages=[], pattern=[], imported_fields=[])
        session.add(profile)
    return profile


def _setter(field: str, limit: int) -> Any:
    def apply(session: Session, person: Any, value: str) -> None:
        text = value.strip()
        if len(text) > limit:
            raise ValidationError(f"{field} is longer than {limit} characters.")
        profile = _profile(session, person)
        if getattr(profile, field) != text:
            setattr(profile, field, text)
        if field not in (profile.imported_fields or []):
            profile.imported_fields = [*(profile.imported_fields or []), field]
    return apply


def _apply_expertise(session: Session, person: Any, value: str) -> None:
    labels = [part.strip()[:80] for part in value.replace(";", ",").split(",") if part.strip()]
    wanted = {tag_of(label): label for label in labels if tag_of(label)}
    current = {e.tag: e for e in session.scalars(sa.select(Expertise).where(Expertise.person_id == person.id))}
    for tag, row in current.items():
        if tag not in wanted:
            session.delete(row)
    for tag, label in wanted.items():
        if tag not in current:
            session.add(Expertise(person_id=person.id, tag=tag, label=label))
    profile = _profile(session, person)
    if "expertise" not in (profile.imported_fields or []):
        profile.imported_fields = [*(profile.imported_fields or []), "expertise"]
    profile.updated_at = utcnow()  # the refresh job reindexes people whose profile changed


def _apply_absence(session: Session, person: Any, value: str) -> None:
    """``2026-12-01..2026-12-05 leave`` (one day: ``2026-12-01 sick``); importing it twice adds it once."""
    if not value.strip():
        return
    try:
        dates, kind = value.split()
        first, _sep, last = dates.partition("..")
        starts, ends = dt.date.fromisoformat(first), dt.date.fromisoformat(last or first)
    except ValueError:
        raise ValidationError(f"absence {value!r} is not like '2026-12-01..2026-12-05 leave'.") from None
    if kind not in ABSENCE_KINDS or ends < starts:
        raise ValidationError(f"absence {value!r}: the reason is leave, course or sick, "
                              "and the last day is not before the first.")
    exists = session.scalar(sa.select(Absence.id).where(Absence.person_id == person.id, Absence.starts_on == starts,
                                                        Absence.ends_on == ends, Absence.source == "import"))
    if exists is None:
        session.add(Absence(person_id=person.id, starts_on=starts, ends_on=ends, kind=kind, source="import"))


def import_columns() -> list[ImportColumn]:
    """The HR import columns the phonebook claims; imported fields become read-only for the person."""
    return [
        ImportColumn("job_title", "Job title (phonebook)", _setter("job_title", 200)),
        ImportColumn("work_phone", "Work phone number (phonebook)", _setter("work_phone", 40)),
        ImportColumn("mobile", "Mobile number (phonebook)", _setter("mobile", 40)),
        ImportColumn("extension", "Internal extension (phonebook)", _setter("extension", 20)),
        ImportColumn("room", "Room (phonebook)", _setter("room", 100)),
        ImportColumn("expertise", "Expertise tags, comma separated (phonebook)", _apply_expertise),
        ImportColumn("absence", "An absence: 2026-12-01..2026-12-05 leave (phonebook)", _apply_absence),
    ]
