"""Who may see which field of whom, who manages whom, and who may change a profile or see absence reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook import directory
from organet_plugins.phonebook.models import FieldRule
from organet_plugins.phonebook.settings import DEFAULT_LEVELS, FIELDS, LEVELS
from sqlalchemy.orm import Session

from organet import web
from organet.people import Share, User, is_manager_of

EDIT_ANY = "edit-phonebook-profiles"
VIEW_REASONS = "view-absence-reasons"


@dataclass(frozen=True)
class FieldRules:
    """The admin's choices: the level of each field, and the groups each field is shared with (for externals)."""

    levels: dict[str, str]
    shared_with: dict[str, frozenset[int]]

    def visible(self, viewer: Any, person: Any, *, viewer_is_admin: bool, person_group_ids: frozenset[int]) -> set[str]:
        """Return the fields of ``person`` that ``viewer`` may see."""
        if viewer_is_admin or getattr(viewer, "id", None) == person.id:
            return set(FIELDS)
        if not getattr(viewer, "is_authenticated", False):
            return set()
        viewer_groups: frozenset[int] = viewer.group_ids
        if viewer.is_external:
            return self.shared_fields(viewer_groups)
        shares_group = bool(viewer_groups & person_group_ids)
        return {f for f in FIELDS if self.levels[f] == "employees" or (self.levels[f] == "groups" and shares_group)}

    def searchable(self, viewer: Any, *, viewer_is_admin: bool) -> set[str]:
        """Return the fields ``viewer`` may search every person by: those visible to them whoever the person is."""
        if viewer_is_admin:
            return set(FIELDS)
        if getattr(viewer, "is_external", False):
            return self.shared_fields(viewer.group_ids)
        return {f for f in FIELDS if self.levels[f] == "employees"}

    def shared_fields(self, group_ids: frozenset[int]) -> set[str]:
        """Return the fields shared with any of these (external) groups, unless only the person may see them."""
        return {f for f in FIELDS if self.levels[f] != "self" and self.shared_with.get(f, frozenset()) & group_ids}


# Built once: putting a statement together costs more than running it, and every phonebook page reads the rules.
_LEVELS = sa.select(FieldRule.field, FieldRule.level)
_SHARED_FIELDS = sa.select(Share.object_id, Share.group_id).where(Share.plugin == "phonebook", Share.kind == "field")


def load_rules(session: Session) -> FieldRules:
    """Read the admin's field rules: a level per field, and the external groups each field is shared with."""
    levels = {field: DEFAULT_LEVELS.get(field, "employees") for field in FIELDS}
    levels.update({field: level for field, level in session.execute(_LEVELS) if field in FIELDS and level in LEVELS})
    shared: dict[str, set[int]] = {}
    for field, group_id in session.execute(_SHARED_FIELDS):
        shared.setdefault(field, set()).add(group_id)
    return FieldRules(levels, {f: frozenset(ids) for f, ids in shared.items()})


def field_rules(request: Any) -> FieldRules:
    """The admin's field rules, read once per change rather than on every page (every worker follows
    a change within seconds: the admin page and ``organet.people.share`` announce it)."""
    return web.cached_configuration(request, "phonebook.field_rules", load_rules)


def is_admin(request: Any) -> bool:
    """True when the viewer may see and edit every profile (admins, by default)."""
    return web.has_permission(request, EDIT_ANY)


def managers_of(session: Session, person: User, limit: int = 10) -> list[User]:
    """Return the managers of the groups this person is a member of, by surname (from the directory index)."""
    groups = [m.group_id for m in person.memberships if m.role == "member"]
    ids = directory.search(session, [directory.in_groups(groups, roles=("manager",))], limit + 1) if groups else []
    return _people(session, [i for i in ids if i != person.id][:limit])


def reports_of(session: Session, person: User, limit: int = 20) -> list[User]:
    """Return the members of the groups this person manages, by surname (from the directory index)."""
    groups = [m.group_id for m in person.memberships if m.role == "manager"]
    ids = directory.search(session, [directory.in_groups(groups, roles=("member",))], limit + 1) if groups else []
    return _people(session, [i for i in ids if i != person.id][:limit])


# Built once (putting a statement together costs more than running it): every person page lists managers.
_ACTIVE_PEOPLE = sa.select(User).where(User.id.in_(sa.bindparam("ids", expanding=True)), User.active)


def _people(session: Session, ids: list[int]) -> list[User]:
    found = {p.id: p for p in session.scalars(_ACTIVE_PEOPLE, {"ids": ids})} if ids else {}
    return [found[i] for i in ids if i in found]


def may_edit(request: Any, person: User) -> bool:
    """True when the viewer may change this person's profile: themself, or an admin."""
    viewer = web.user(request)
    return bool(viewer) and (viewer.id == person.id or is_admin(request))


def may_plan(request: Any, person: User) -> bool:
    """True when the viewer may enter this person's working pattern and absences: themself, their manager, admins."""
    viewer = web.user(request)
    return may_edit(request, person) or is_manager_of(viewer, person)


def may_see_reasons(request: Any, person: User) -> bool:
    """True when the viewer sees why this person is absent: themself, their managers, holders of the permission."""
    viewer = web.user(request)
    if not viewer:
        return False
    return viewer.id == person.id or web.has_permission(request, VIEW_REASONS) or is_manager_of(viewer, person)
