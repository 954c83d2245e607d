"""A person's phonebook card as one viewer may see it, and changes to a profile with their checks."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from organet_plugins.phonebook import access, availability, directory, documents
from organet_plugins.phonebook.models import Absence, Expertise, Profile
from sqlalchemy.orm import Session

from organet import PermissionDenied, ValidationError, db, web
from organet.i18n import gettext as _
from organet.people import Group, Membership, User, full_name

EDITABLE = ("job_title", "work_phone", "mobile", "extension", "room", "expertise", "languages", "about")
"""The fields of the edit form and the API's update; the photo has its own form."""

PHONE = re.compile(r"^\+?[0-9 ()\-.]{2,40}$")
LIMITS = {"job_title": 200, "work_phone": 40, "mobile": 40, "extension": 20, "room": 100, "about": 2000}
MAX_TAGS = 20


def profile_of(session: Session, person_id: int) -> Profile:
    """Return the person's profile, or an empty one not yet stored."""
    return session.get(Profile, person_id) or Profile(person_id=person_id, languages=[], pattern=[],
                                                      imported_fields=[], job_title="", work_phone="",
                                                      mobile="", extension="", room="", about="")


# Built once (putting a statement together costs more than running it): every person page shows the tags.
_TAGS = sa.select(Expertise).where(Expertise.person_id == sa.bindparam("person_id")).order_by(Expertise.label)


def tags_of(session: Session, person_id: int) -> list[Expertise]:
    """Return the person's expertise tags in the order of their labels."""
    return list(session.scalars(_TAGS, {"person_id": person_id}))


def card(request: Any, person: User) -> dict[str, Any]:
    """Return what the viewer may see of ``person``: the visible fields, status and what they may do."""
    session = web.db(request)
    viewer = web.user(request)
    rules = access.field_rules(request)
    admin = access.is_admin(request)
    visible = rules.visible(viewer, person, viewer_is_admin=admin, person_group_ids=person.group_ids)
    profile = profile_of(session, person.id)
    status = availability.status_of(session, person.id, profile.pattern)
    shown: dict[str, Any] = {}
    for field in ("job_title", "work_phone", "mobile", "extension", "room", "about", "languages"):
        if field in visible:
            shown[field] = getattr(profile, field)
    if "email" in visible:
        shown["email"] = person.email
    if "expertise" in visible:
        shown["expertise"] = [t.label for t in tags_of(session, person.id)]
    if "manager" in visible:
        shown["managers"] = access.managers_of(session, person)
        shown["reports"] = access.reports_of(session, person)
    if "photo" in visible and profile.photo:
        shown["photo"] = profile.photo
    reasons = access.may_see_reasons(request, person)
    return {
        "person": person, "fields": shown, "status": status, "pattern": profile.pattern,
        "departments": [m.group for m in person.memberships if m.group.kind == "department"],
        "locations": [m.group for m in person.memberships if m.group.kind == "location"],
        "reason": status.absence.kind if status.absence is not None and reasons else None,
        "may_edit": access.may_edit(request, person), "may_plan": access.may_plan(request, person),
        "may_see_reasons": reasons,
    }


def editable_fields(request: Any, person: User, profile: Profile) -> set[str]:
    """Return the fields the viewer may change on this profile: admins all, the person the allowed ones."""
    if access.is_admin(request):
        return set(EDITABLE)
    allowed = set(web.setting(request, "phonebook", "editable_fields"))
    locked = set(profile.imported_fields or ()) | set(person.hr_fields or ())
    return {f for f in EDITABLE if f in allowed and f not in locked}


def may_change_photo(request: Any, person: User) -> bool:
    """True when the viewer may change this person's photo: an admin, or the person if the admin allows it."""
    if access.is_admin(request):
        return True
    return "photo" in web.setting(request, "phonebook", "editable_fields") and \
        "photo" not in (person.hr_fields or ())


def split_list(value: Any) -> list[str]:
    """Accept a list or a comma-separated string; return the trimmed, unique, non-empty items."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return list(dict.fromkeys(str(item).strip()[:80] for item in items if str(item).strip()))


def update(request: Any, person: User, data: dict[str, Any]) -> Profile:
    """Change ``person``'s profile with ``data`` (only the keys given); refuse fields the viewer may not change.

    Raises :class:`organet.ValidationError` listing every wrong field; nothing is stored then.
    """
    if not access.may_edit(request, person):
        raise PermissionDenied(_("You may change only your own profile."))
    session = web.db(request)
    profile = profile_of(session, person.id)
    allowed = editable_fields(request, person, profile)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, value in data.items():
        if field not in EDITABLE:
            continue
        if field not in allowed:
            errors[field] = [_("This field cannot be changed here.")]
            continue
        if field in ("expertise", "languages"):
            items = split_list(value)
            if len(items) > MAX_TAGS:
                errors[field] = [_("Give at most %(n)s items.", n=MAX_TAGS)]
            clean[field] = items
            continue
        text = str(value or "").strip()
        if len(text) > LIMITS[field]:
            errors[field] = [_("Use at most %(n)s characters.", n=LIMITS[field])]
        elif field in ("work_phone", "mobile", "extension") and text and not PHONE.match(text):
            errors[field] = [_("Use digits, spaces and + - ( ) only, for example 030 123 45 67.")]
        clean[field] = text
    if errors:
        raise ValidationError(_("Some fields need another look."), errors)
    if session.get(Profile, person.id) is None:
        session.add(profile)
    for field, value in clean.items():
        if field == "expertise":
            set_expertise(session, person.id, value)
        else:
            setattr(profile, field, value)
    session.flush()
    directory.reindex(session, [person.id])
    documents.index_people(session, [person.id], access.field_rules(request))
    return profile


def set_expertise(session: Session, person_id: int, labels: list[str]) -> None:
    """Replace the person's expertise tags with ``labels``."""
    session.execute(sa.delete(Expertise).where(Expertise.person_id == person_id))
    seen: set[str] = set()
    for label in labels:
        tag = directory.tag_of(label)
        if tag and tag not in seen:
            seen.add(tag)
            session.add(Expertise(person_id=person_id, tag=tag, label=label[:80]))
    session.flush()


LIST_FIELDS = ("job_title", "work_phone", "extension", "mobile", "room")

# Built once: putting a statement together costs more than running it, and every list and search runs
# these. A person, their list fields and whether they are away today in one round trip; their groups in another.
_ROW_PEOPLE = (
    sa.select(User.id, User.username, User.display_name, User.given_name, User.tussenvoegsel, User.surname,
              Profile.person_id.label("profile_id"), Profile.pattern, *(getattr(Profile, f) for f in LIST_FIELDS),
              sa.exists().where(Absence.person_id == User.id, Absence.starts_on <= sa.bindparam("day"),
                                Absence.ends_on >= sa.bindparam("day")).label("away"))
    .outerjoin(Profile, Profile.person_id == User.id)
    .where(User.id.in_(sa.bindparam("ids", expanding=True)), User.active))
_ROW_GROUPS = (
    sa.select(Membership.user_id, Group.id, Group.slug, Group.name, Group.kind)
    .join(Group, Group.id == Membership.group_id).where(Membership.user_id.in_(sa.bindparam("ids", expanding=True))))


def rows(request: Any, ids: list[int]) -> list[dict[str, Any]]:
    """Return list rows for these people, in this order: name, link, departments, visible fields, in today.

    Two plain queries whatever the number of people (no ORM objects: lists are the hot path),
    and links built from one URL per route rather than one lookup per row.
    """
    if not ids:
        return []
    session = web.db(request)
    viewer = web.user(request)
    rules = access.field_rules(request)
    admin = access.is_admin(request)
    day = availability.today()
    people = {row.id: row for row in db.rows(session, _ROW_PEOPLE, {"ids": ids, "day": day})}
    groups: dict[int, list[Any]] = {}
    for group in db.rows(session, _ROW_GROUPS, {"ids": ids}):
        groups.setdefault(group.user_id, []).append(group)
    person_url = route_prefix(request, "phonebook:person", "username")
    group_url = route_prefix(request, "phonebook:department", "slug")
    result = []
    for person_id in ids:
        person = people.get(person_id)
        if person is None:
            continue
        memberships = groups.get(person_id, [])
        visible = rules.visible(viewer, person, viewer_is_admin=admin,
                                person_group_ids=frozenset(g.id for g in memberships))
        fields = {f: getattr(person, f) for f in LIST_FIELDS if f in visible and getattr(person, f)}
        pattern = person.pattern if person.profile_id is not None else []
        result.append({
            "name": person.display_name or full_name(person.given_name, person.tussenvoegsel, person.surname),
            "username": person.username, "url": person_url + quote(person.username), "fields": fields,
            "in_today": not person.away and bool(availability.parts_on(pattern or [], day)),
            "departments": [{"name": g.name, "url": group_url + quote(g.slug)} for g in memberships
                            if g.kind == "department"]})
    return result


def route_prefix(request: Any, route: str, param: str) -> str:
    """Return the path of ``route`` up to its last parameter, so rows can append a quoted value to it."""
    return web.path_for(request, route, **{param: "PLACEHOLDER"}).rsplit("PLACEHOLDER", 1)[0]


def tel(number: str) -> str:
    """Return a ``tel:`` URL for a phone number as people write it: "030 123 45 67" → "tel:0301234567"."""
    return "tel:" + "".join(c for c in number if c.isdecimal() or c == "+")
