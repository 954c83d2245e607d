"""Changing people and groups: one implementation for the admin pages, the CLI and the HR import.

Each function checks its input (raising :class:`organet.ValidationError` with a message per
field), makes the change in the caller's session and records it in the audit trail.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import audit
from organet.db import utcnow
from organet.errors import ValidationError
from organet.i18n import gettext as _
from organet.people.models import GROUP_KINDS, KINDS, MEMBER_ROLES, ROLES, Group, Membership, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def slugify(text: str) -> str:
    """Return a URL slug for a group name: "Wondzorg & Stoma" → "wondzorg-stoma"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80] or "group"


def reindex(session: Session, person: User) -> None:
    """Bring the person's search document up to date (found by name; gone when deactivated or erased)."""
    from organet.search import index_person

    index_person(session, person)


def check_person(session: Session, values: dict[str, Any], existing: User | None = None) -> None:
    """Raise ValidationError when a person's username, e-mail, role or kind is wrong or taken."""
    errors: dict[str, list[str]] = {}
    username = values.get("username")
    if username is not None:
        if not USERNAME.match(username):
            errors["username"] = [_("Use 2 to 80 lower-case letters, digits, dots, dashes or underscores.")]
        else:
            taken = session.scalar(sa.select(User.id).where(User.username == username))
            if taken is not None and (existing is None or taken != existing.id):
                errors["username"] = [_("This username is taken.")]
    email = values.get("email")
    if email is not None and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        errors["email"] = [_("Fill in an e-mail address such as name@example.org.")]
    if values.get("role") is not None and values["role"] not in ROLES:
        errors["role"] = [_("Choose one of: %(roles)s.", roles=", ".join(ROLES))]
    if values.get("kind") is not None and values["kind"] not in KINDS:
        errors["kind"] = [_("Choose one of: %(kinds)s.", kinds=", ".join(KINDS))]
    if values.get("surname") is not None and not values["surname"].strip() and values.get("kind") != "service":
        errors["surname"] = [_("Fill in a surname.")]
    if errors:
        raise ValidationError(_("Some fields are missing or wrong."), errors)


def create_person(session: Session, actor: Any, *, username: str, email: str, given_name: str = "",
                  tussenvoegsel: str = "", surname: str = "", role: str = "member", kind: str = "employee",
                  hr_id: str | None = None, hr_fields: list[str] | None = None, request: Any = None) -> User:
    """Create a person and return them; externals get the ``external`` role unless another is given."""
    username = username.strip().lower()
    if kind == "external" and role == "member":
        role = "external"
    check_person(session, {"username": username, "email": email.strip(), "role": role, "kind": kind,
                           "surname": surname or (username if kind == "service" else surname)})
    person = User(username=username, email=email.strip(), role=role, kind=kind, hr_id=hr_id,
                  hr_fields=list(hr_fields or []))
    person.set_name(given_name.strip(), tussenvoegsel.strip(), surname.strip())
    session.add(person)
    session.flush()
    audit.record(session, actor, "people.person.created", target=f"person:{username}",
                 details={"role": role, "kind": kind}, request=request)
    reindex(session, person)
    return person


def set_role(session: Session, actor: Any, person: User, role: str, request: Any = None) -> None:
    """Give ``person`` another site role."""
    check_person(session, {"role": role}, person)
    if person.role != role:
        audit.record(session, actor, "people.role.changed", target=f"person:{person.username}",
                     details={"from": person.role, "to": role}, request=request)
        person.role = role


def deactivate(session: Session, actor: Any, person: User, *, by_admin: bool = True, request: Any = None) -> None:
    """Deactivate ``person``: they can no longer sign in, and their sessions stop working at once.

    ``by_admin`` marks a decision an HR import must never undo.
    """
    if person.active:
        person.active = False
        person.deactivated_at = utcnow()
        audit.record(session, actor, "people.person.deactivated", target=f"person:{person.username}",
                     details={"by_admin": by_admin}, request=request)
    if by_admin:
        person.deactivated_by_admin = True
    reindex(session, person)


def reactivate(session: Session, actor: Any, person: User, request: Any = None) -> None:
    """Let a deactivated person sign in again (an admin's decision; the HR import never does this)."""
    if not person.active:
        person.active = True
        person.deactivated_at = None
        person.deactivated_by_admin = False
        audit.record(session, actor, "people.person.reactivated", target=f"person:{person.username}",
                     request=request)
        reindex(session, person)


def find_group(session: Session, slug: str) -> Group | None:
    """Return the group with this slug, or ``None``."""
    return session.scalar(sa.select(Group).where(Group.slug == slug))


def check_parent(session: Session, group: Group | None, parent: Group | None) -> None:
    """Refuse a parent that would put the group inside itself."""
    step = parent
    while step is not None and group is not None:
        if step.id == group.id:
            raise ValidationError(_("A group cannot be inside itself."), {"parent": [_("Choose another parent.")]})
        step = step.parent


def create_group(session: Session, actor: Any, *, name: str, slug: str = "", kind: str = "department",
                 parent: Group | None = None, description: str = "", hr_id: str | None = None,
                 request: Any = None) -> Group:
    """Create a group and return it."""
    name = name.strip()
    slug = (slug or slugify(name)).strip().lower()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 200:
        errors["name"] = [_("Fill in a name of at most 200 characters.")]
    if not SLUG.match(slug):
        errors["slug"] = [_("Use lower-case letters, digits and dashes.")]
    elif find_group(session, slug) is not None:
        errors["slug"] = [_("This short name is taken.")]
    if kind not in GROUP_KINDS:
        errors["kind"] = [_("Choose one of: %(kinds)s.", kinds=", ".join(GROUP_KINDS))]
    if errors:
        raise ValidationError(_("Some fields are missing or wrong."), errors)
    group = Group(slug=slug, name=name, kind=kind, parent_id=parent.id if parent else None,
                  description=description, hr_id=hr_id)
    session.add(group)
    session.flush()
    audit.record(session, actor, "people.group.created", target=f"group:{slug}", request=request)
    return group


def add_member(session: Session, actor: Any, person: User, group: Group, role: str = "member",
               source: str = "admin", request: Any = None) -> bool:
    """Make ``person`` a member (or manager) of ``group``; return True when something changed."""
    if role not in MEMBER_ROLES:
        raise ValidationError(_("Choose member or manager."), {"role": [_("Choose member or manager.")]})
    membership = session.get(Membership, (person.id, group.id))
    if membership is not None and membership.role == role:
        return False
    if membership is None:
        session.add(Membership(user_id=person.id, group_id=group.id, role=role, source=source))
    else:
        membership.role = role
    session.flush()
    session.expire(person, ["memberships"])
    audit.record(session, actor, "people.membership.changed", target=f"group:{group.slug}",
                 details={"person": person.username, "role": role}, request=request)
    reindex(session, person)
    return True


def remove_member(session: Session, actor: Any, person: User, group: Group, request: Any = None) -> bool:
    """Take ``person`` out of ``group``; return True when they were in it."""
    removed = session.execute(sa.delete(Membership).where(Membership.user_id == person.id,
                                                          Membership.group_id == group.id))
    session.expire(person, ["memberships"])
    if getattr(removed, "rowcount", 0):
        audit.record(session, actor, "people.membership.removed", target=f"group:{group.slug}",
                     details={"person": person.username}, request=request)
        reindex(session, person)
        return True
    return False
