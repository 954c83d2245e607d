"""The people pages everyone uses: the person list, profiles, groups, and the person picker's JSON."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import web
from organet.errors import NotFound, PermissionDenied, ValidationError
from organet.i18n import N_
from organet.i18n import gettext as _
from organet.people import accounts, directory
from organet.people.models import Group, Membership, User
from organet.people.permissions import is_manager_of

# Role, kind and group-kind names are shown translated through _(value); listed here for the catalogue.
VALUE_LABELS = (N_("admin"), N_("editor"), N_("member"), N_("external"), N_("employee"), N_("service"),
                N_("department"), N_("location"), N_("team"), N_("project"), N_("manager"))

PAGE_SIZE = 50
PICKER_SIZE = 10
EDITABLE = ("given_name", "tussenvoegsel", "surname", "email", "language", "time_zone")


def page_number(request: Request) -> int:
    """The ``?page=`` of a list, 1 when missing or not a positive whole number."""
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 100_000 else 1


def one_page(session: Any, statement: sa.Select[Any], page: int, size: int = PAGE_SIZE) -> tuple[list[Any], bool]:
    """Return the rows of ``page`` and whether there is a next page (one row more is fetched, never counted)."""
    rows = list(session.scalars(statement.limit(size + 1).offset((page - 1) * size)).unique())
    return rows[:size], len(rows) > size


def find_person(request: Request, username: str | None = None) -> User:
    """Return the person named in the URL, or raise NotFound (erased people are gone)."""
    username = username or request.path_params["username"]
    person = web.db(request).scalar(sa.select(User).where(User.username == username, User.erased_at.is_(None)))
    if person is None:
        raise NotFound(_("There is nobody with this username."))
    viewer = web.user(request)
    if getattr(viewer, "is_external", False) and person.id != viewer.id and not (person.group_ids & viewer.group_ids):
        raise NotFound(_("There is nobody with this username."))
    return person


def people_list(request: Request) -> Response:
    """Everyone, sorted by surname; ``?q=`` finds people by (part of) their name, username or e-mail."""
    query = request.query_params.get("q", "").strip()[:directory.MAX_QUERY]
    page = page_number(request)
    statement = directory.people_query(query, viewer=web.user(request))
    people, has_next = one_page(web.db(request), statement, page)
    return web.render(request, "people/list.html", {
        "people": people, "q": query, "page": page, "has_next": has_next, "title": _("People")})


def person(request: Request) -> Response:
    """A person's profile: the core's data, then every plugin's sections in their order."""
    person = find_person(request)
    sections = [s for result in web.site(request).hook.person_profile_sections(request=request, person=person)
                for s in (result or ())]
    sections.sort(key=lambda section: section.order)
    viewer = web.user(request)
    return web.render(request, "people/person.html", {
        "person": person, "sections": sections, "title": person.name,
        "is_self": viewer.id == person.id,
        "may_edit": viewer.id == person.id or web.has_permission(request, "manage-people"),
        "may_export": viewer.id == person.id or web.has_permission(request, "manage-people"),
        "manages": is_manager_of(viewer, person),
        "memberships": sorted(person.memberships, key=lambda m: (m.group.kind, m.group.name)),
    })


def edit_profile(request: Request) -> Response:
    """Edit one's own profile (or anyone's, with manage-people). Fields that come from HR stay read-only."""
    person = find_person(request)
    viewer = web.user(request)
    if viewer.id != person.id and not web.has_permission(request, "manage-people"):
        raise PermissionDenied(_("You may edit only your own profile."))
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = web.form(request)
        values = {key: str(form.get(key, getattr(person, key) or "")).strip() for key in EDITABLE
                  if key not in (person.hr_fields or [])}
        errors = check_profile(values)
        if not errors:
            apply_profile(person, values)
            accounts.reindex(web.db(request), person)
            web.flash(request, _("Your changes are saved."))
            return web.redirect(request, "people:person", username=person.username)
    return web.render(request, "people/edit.html", {
        "person": person, "errors": errors, "hr_fields": set(person.hr_fields or []), "fields": EDITABLE,
        "title": _("Edit profile")}, status_code=422 if errors else 200)


def check_profile(values: dict[str, str]) -> dict[str, str]:
    """Return a message per field that is wrong in a profile form."""
    from organet.i18n import LANGUAGES

    errors: dict[str, str] = {}
    if "surname" in values and not values["surname"]:
        errors["surname"] = _("Fill in a surname.")
    if "email" in values and ("@" not in values["email"] or len(values["email"]) > 254):
        errors["email"] = _("Fill in an e-mail address such as name@example.org.")
    if values.get("language") and values["language"] not in LANGUAGES:
        errors["language"] = _("Choose Nederlands or English.")
    if values.get("time_zone"):
        from zoneinfo import available_timezones

        if values["time_zone"] not in available_timezones():
            errors["time_zone"] = _("Choose a time zone such as Europe/Amsterdam.")
    for key in ("given_name", "tussenvoegsel", "surname"):
        if len(values.get(key, "")) > 100:
            errors[key] = _("This is too long.")
    return errors


def apply_profile(person: User, values: dict[str, str]) -> None:
    """Store checked profile values on ``person``; the display and sort names follow the name parts."""
    for key in ("email", "language", "time_zone"):
        if key in values:
            setattr(person, key, values[key] or (None if key != "email" else person.email))
    person.set_name(values.get("given_name", person.given_name), values.get("tussenvoegsel", person.tussenvoegsel),
                    values.get("surname", person.surname))


def groups_index(request: Request) -> Response:
    """Every group: the organisation tree of departments, then locations, teams and project groups."""
    session = web.db(request)
    groups = list(session.scalars(sa.select(Group).order_by(Group.name)))
    counts = dict(session.execute(sa.select(Membership.group_id, sa.func.count()).group_by(Membership.group_id)).all())
    children: dict[int | None, list[Group]] = {}
    ids = {g.id for g in groups}
    for group in groups:
        if group.kind == "department":
            parent = group.parent_id if group.parent_id in ids else None
            children.setdefault(parent, []).append(group)
    others = {kind: [g for g in groups if g.kind == kind] for kind in ("location", "team", "project")}
    return web.render(request, "people/groups.html", {
        "children": children, "others": others, "counts": counts, "title": _("Groups")})


def group(request: Request) -> Response:
    """A group: where it sits in the organisation tree, its sub-groups, its managers and members."""
    session = web.db(request)
    found = session.scalar(sa.select(Group).where(Group.slug == request.path_params["slug"]))
    if found is None:
        raise NotFound(_("There is no such group."))
    viewer = web.user(request)
    if getattr(viewer, "is_external", False) and found.id not in viewer.group_ids:
        raise NotFound(_("There is no such group."))
    trail: list[Group] = []
    step, seen = found.parent, {found.id}
    while step is not None and step.id not in seen:
        trail.insert(0, step)
        seen.add(step.id)
        step = step.parent
    subgroups = list(session.scalars(sa.select(Group).where(Group.parent_id == found.id).order_by(Group.name)))
    page = page_number(request)
    statement = (sa.select(Membership).join(User, User.id == Membership.user_id)
                 .where(Membership.group_id == found.id, User.active.is_(True), User.erased_at.is_(None))
                 .order_by(Membership.role.desc(), User.sort_name, User.id))
    members, has_next = one_page(session, statement, page)
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_([m.user_id for m in members])))}
    return web.render(request, "people/group.html", {
        "group": found, "trail": trail, "subgroups": subgroups, "page": page, "has_next": has_next,
        "members": [(users[m.user_id], m.role) for m in members], "title": found.name})


def picker(request: Request) -> dict[str, Any]:
    """JSON for the person picker: up to ten active people matching ``?q=`` (two characters or more)."""
    query = request.query_params.get("q", "").strip()
    if len(query) > directory.MAX_QUERY:
        raise ValidationError(_("Type fewer characters."), {"q": [_("At most 100 characters.")]})
    if len(query) < 2:
        return {"items": []}
    statement = directory.people_query(query, viewer=web.user(request)).limit(PICKER_SIZE)
    return {"items": [directory.picker_item(p) for p in web.db(request).scalars(statement)]}
