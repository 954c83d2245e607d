"""A person's phonebook data for their data export, and erasing it (AVG/GDPR)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook.documents import KINDS
from organet_plugins.phonebook.models import Absence, Entry, Expertise, Profile
from sqlalchemy.orm import Session

from organet.search import remove

PROFILE_FIELDS = ("job_title", "work_phone", "mobile", "extension", "room", "languages", "about", "pattern",
                  "imported_fields")


def export(session: Session, person: Any) -> dict[str, Any]:
    """Everything the phonebook holds about ``person``, as JSON-ready data."""
    profile = session.get(Profile, person.id)
    absences = session.scalars(sa.select(Absence).where(Absence.person_id == person.id).order_by(Absence.starts_on))
    return {
        "profile": {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile else {},
        "expertise": list(session.scalars(sa.select(Expertise.label).where(Expertise.person_id == person.id))),
        "absences": [{"starts_on": a.starts_on.isoformat(), "ends_on": a.ends_on.isoformat(), "kind": a.kind,
                      "source": a.source} for a in absences],
    }


def erase(session: Session, person: Any) -> None:
    """Delete the person's profile, expertise, absences, directory entry and search documents."""
    for model, column in ((Profile, Profile.person_id), (Expertise, Expertise.person_id),
                          (Absence, Absence.person_id), (Entry, Entry.person_id)):
        session.execute(sa.delete(model).where(column == person.id))
    for kind in KINDS.values():
        remove(session, "phonebook", kind, str(person.id))
