"""vCards for colleagues and departments, and the admins' CSV export of the whole phonebook."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook.models import Expertise, Profile
from sqlalchemy.orm import Session
from starlette.responses import Response

from organet.exports import csv_response as organet_csv_response
from organet.people import User

CSV_COLUMNS = ("username", "given_name", "tussenvoegsel", "surname", "email", "job_title", "work_phone", "mobile",
               "extension", "room", "departments", "expertise", "languages")
BATCH = 1000


def _escape(value: str) -> str:
    """Escape a vCard text value (RFC 6350 3.4): backslash, comma, semicolon and line breaks."""
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", ""))


def vcard(card: dict[str, Any]) -> str:
    """Return one vCard 3.0 built from a :func:`profiles.card` (only fields the viewer may see)."""
    person, fields = card["person"], card["fields"]
    lines = ["BEGIN:VCARD", "VERSION:3.0",
             f"N:{_escape(person.surname)};{_escape(person.given_name)};;{_escape(person.tussenvoegsel)};",
             f"FN:{_escape(person.name)}"]
    if fields.get("job_title"):
        lines.append(f"TITLE:{_escape(fields['job_title'])}")
    if card["departments"]:
        lines.append(f"ORG:{_escape(card['departments'][0].name)}")
    for key, kind in (("work_phone", "WORK,VOICE"), ("mobile", "CELL"), ("extension", "WORK")):
        if fields.get(key):
            lines.append(f"TEL;TYPE={kind}:{_escape(fields[key])}")
    if fields.get("email"):
        lines.append(f"EMAIL;TYPE=INTERNET:{_escape(fields['email'])}")
    if fields.get("expertise"):
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in fields["expertise"]))
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def vcard_response(cards: Sequence[dict[str, Any]], name: str) -> Response:
    """Return the cards as one .vcf download."""
    safe = "".join(c for c in name if c.isalnum() or c in "-_") or "contacts"
    return Response("".join(vcard(c) for c in cards), media_type="text/vcard; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{safe}.vcf"'})


def csv_rows(session: Session) -> Iterator[list[Any]]:
    """Yield one row per active person, a thousand people per round of queries."""
    last = 0
    while True:
        people = session.scalars(sa.select(User).where(User.id > last, User.active, User.kind != "service")
                                 .order_by(User.id).limit(BATCH)).all()
        if not people:
            return
        ids = [p.id for p in people]
        profiles = {p.person_id: p for p in session.scalars(sa.select(Profile).where(Profile.person_id.in_(ids)))}
        tags: dict[int, list[str]] = {}
        for person_id, label in session.execute(sa.select(Expertise.person_id, Expertise.label)
                                                .where(Expertise.person_id.in_(ids)).order_by(Expertise.label)):
            tags.setdefault(person_id, []).append(label)
        for person in people:
            profile = profiles.get(person.id)
            departments = "; ".join(m.group.name for m in person.memberships if m.group.kind == "department")
            yield [person.username, person.given_name, person.tussenvoegsel, person.surname, person.email,
                   *(getattr(profile, f, "") if profile else "" for f in CSV_COLUMNS[5:10]),
                   departments, "; ".join(tags.get(person.id, [])),
                   "; ".join(profile.languages if profile else [])]
        last = ids[-1]


def csv_response(session: Session) -> Response:
    """Return the CSV download of the whole phonebook (cells that look like formulas neutralised by the core)."""
    return organet_csv_response("phonebook.csv", CSV_COLUMNS, list(csv_rows(session)))


__all__ = ["CSV_COLUMNS", "csv_response", "vcard", "vcard_response"]
