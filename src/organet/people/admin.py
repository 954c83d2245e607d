"""The admin pages for people, groups, memberships, the role × permission matrix and the HR import."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import audit, web
from organet.errors import NotFound, ValidationError
from organet.i18n import gettext as _
from organet.people import accounts, directory, hr_import
from organet.people.models import (
    GROUP_KINDS,
    KINDS,
    MEMBER_ROLES,
    ROLES,
    Group,
    ImportRun,
    Membership,
    RolePermission,
    User,
)
from organet.people.views import one_page, page_number
from organet.runtime import bump

MAX_UPLOAD = 20 * 1024 * 1024


def _text(form: Any, key: str) -> str:
    return str(form.get(key, "") or "").strip()


def people(request: Request) -> Response:
    """Find people (deactivated ones too) and create a person."""
    session = web.db(request)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        form = web.form(request)
        values = {k: _text(form, k) for k in ("username", "email", "given_name", "tussenvoegsel", "surname",
                                              "role", "kind")}
        try:
            person = accounts.create_person(
                session, web.user(request), request=request, username=values["username"], email=values["email"],
                given_name=values["given_name"], tussenvoegsel=values["tussenvoegsel"], surname=values["surname"],
                role=values["role"] or "member", kind=values["kind"] or "employee")
        except ValidationError as error:
            errors = dict(error.errors or {})
        else:
            web.flash(request, _("%(name)s is created.", name=person.name))
            return web.redirect(request, "people:admin_person", username=person.username)
    query = request.query_params.get("q", "").strip()[:directory.MAX_QUERY]
    page = page_number(request)
    statement = directory.people_query(query, include_inactive=True, include_services=True)
    found, has_next = one_page(session, statement, page)
    return web.render(request, "people/admin_people.html", {
        "people": found, "q": query, "page": page, "has_next": has_next, "errors": errors, "values": values,
        "roles": ROLES, "kinds": KINDS, "title": _("People")}, status_code=422 if errors else 200)


def _person(request: Request) -> User:
    person = web.db(request).scalar(sa.select(User).where(User.username == request.path_params["username"]))
    if person is None:
        raise NotFound(_("There is nobody with this username."))
    return person


def person(request: Request) -> Response:
    """One person: role, kind, active state, memberships; links to the profile, export and erasure."""
    session = web.db(request)
    found = _person(request)
    actor = web.user(request)
    if request.method == "POST":
        form = web.form(request)
        action = _text(form, "action")
        if action == "save":
            kind = _text(form, "kind")
            accounts.check_person(session, {"kind": kind}, found)
            found.kind = kind
            accounts.set_role(session, actor, found, _text(form, "role"), request)
            accounts.reindex(session, found)
        elif action == "deactivate":
            if found.id == actor.id:
                raise ValidationError(_("You cannot deactivate yourself."))
            accounts.deactivate(session, actor, found, request=request)
        elif action == "reactivate":
            accounts.reactivate(session, actor, found, request)
        elif action == "add-group":
            group = accounts.find_group(session, _text(form, "group"))
            if group is None:
                raise ValidationError(_("Choose a group."), {"group": [_("No such group.")]})
            accounts.add_member(session, actor, found, group, _text(form, "member_role") or "member",
                                request=request)
        elif action == "remove-group":
            group = accounts.find_group(session, _text(form, "group"))
            if group is not None:
                accounts.remove_member(session, actor, found, group, request)
        else:
            raise ValidationError(_("Choose what to do."))
        web.flash(request, _("Saved."))
        return web.redirect(request, "people:admin_person", username=found.username)
    groups = session.scalars(sa.select(Group).order_by(Group.kind, Group.name)).all()
    return web.render(request, "people/admin_person.html", {
        "person": found, "groups": groups, "roles": ROLES, "kinds": KINDS, "member_roles": MEMBER_ROLES,
        "title": found.name})


def groups(request: Request) -> Response:
    """Every group with its parent and member count; create a group."""
    session = web.db(request)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        form = web.form(request)
        values = {k: _text(form, k) for k in ("name", "slug", "kind", "parent", "description")}
        parent = accounts.find_group(session, values["parent"]) if values["parent"] else None
        try:
            group = accounts.create_group(session, web.user(request), name=values["name"], slug=values["slug"],
                                          kind=values["kind"] or "department", parent=parent,
                                          description=values["description"], request=request)
        except ValidationError as error:
            errors = dict(error.errors or {})
        else:
            web.flash(request, _("%(name)s is created.", name=group.name))
            return web.redirect(request, "people:admin_group", slug=group.slug)
    all_groups = session.scalars(sa.select(Group).order_by(Group.kind, Group.name)).all()
    counts = dict(session.execute(sa.select(Membership.group_id, sa.func.count()).group_by(Membership.group_id)).all())
    return web.render(request, "people/admin_groups.html", {
        "groups": all_groups, "counts": counts, "kinds": GROUP_KINDS, "errors": errors, "values": values,
        "title": _("Groups")}, status_code=422 if errors else 200)


def group(request: Request) -> Response:
    """One group: name, kind, parent, description, and its members and managers (chosen with the picker)."""
    session = web.db(request)
    found = accounts.find_group(session, request.path_params["slug"])
    if found is None:
        raise NotFound(_("There is no such group."))
    actor = web.user(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = web.form(request)
        action = _text(form, "action")
        try:
            if action == "save":
                name, kind = _text(form, "name"), _text(form, "kind")
                if not name or kind not in GROUP_KINDS:
                    problem = {"name": [_("Fill in a name.")]} if not name else {"kind": [_("Choose a kind.")]}
                    raise ValidationError(_("Some fields are missing or wrong."), problem)
                parent = accounts.find_group(session, _text(form, "parent")) if _text(form, "parent") else None
                accounts.check_parent(session, found, parent)
                found.name, found.kind, found.description = name, kind, _text(form, "description")
                found.parent_id = parent.id if parent else None
                audit.record(session, actor, "people.group.changed", target=f"group:{found.slug}", request=request)
            elif action in ("add-member", "remove-member"):
                username = _text(form, "person")
                member = session.scalar(sa.select(User).where(User.username == username))
                if member is None:
                    raise ValidationError(_("There is nobody with this username."),
                                          {"person": [_("There is nobody with this username.")]})
                if action == "add-member":
                    accounts.add_member(session, actor, member, found, _text(form, "member_role") or "member",
                                        request=request)
                else:
                    accounts.remove_member(session, actor, member, found, request)
            else:
                raise ValidationError(_("Choose what to do."))
        except ValidationError as error:
            session.rollback()
            errors = dict(error.errors or {"": [str(error)]})
        else:
            web.flash(request, _("Saved."))
            return web.redirect(request, "people:admin_group", slug=found.slug)
    page = page_number(request)
    statement = (sa.select(Membership).join(User, User.id == Membership.user_id)
                 .where(Membership.group_id == found.id).order_by(User.sort_name, User.id))
    members, has_next = one_page(session, statement, page)
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_([m.user_id for m in members])))}
    others = session.scalars(sa.select(Group).where(Group.id != found.id).order_by(Group.name)).all()
    return web.render(request, "people/admin_group.html", {
        "group": found, "members": [(users[m.user_id], m) for m in members], "page": page, "has_next": has_next,
        "others": others, "kinds": GROUP_KINDS, "member_roles": MEMBER_ROLES, "errors": errors,
        "title": found.name}, status_code=422 if errors else 200)


def roles(request: Request) -> Response:
    """The role × permission matrix: which site role holds which permission. Applied in every worker."""
    site = web.site(request)
    session = web.db(request)
    declared = sorted(site.permissions.items(), key=lambda item: (item[1][0], item[0]))
    names = [name for name, _declared in declared]
    if request.method == "POST":
        form = web.form(request)
        wanted = {(role, name) for role in ROLES for name in names if form.get(f"{role}:{name}")}
        wanted.add(("admin", "administer-site"))  # an admin who removes this locks everyone out
        current = set(session.execute(sa.select(RolePermission.role, RolePermission.permission)
                                      .where(RolePermission.permission.in_(names))))
        added, removed = sorted(wanted - current), sorted(current - wanted)
        for role, name in removed:
            session.execute(sa.delete(RolePermission).where(RolePermission.role == role,
                                                            RolePermission.permission == name))
        for role, name in added:
            session.add(RolePermission(role=role, permission=name))
        if added or removed:
            audit.record(session, web.user(request), "people.permissions.changed", target="roles",
                         details={"granted": [f"{r}:{n}" for r, n in added],
                                  "revoked": [f"{r}:{n}" for r, n in removed]}, request=request)
            bump(session)
            session.flush()
            site.state["runtime"].refresh(session, force=True)
        web.flash(request, _("Saved. Every worker applies it within seconds."))
        return web.redirect(request, "people:admin_roles")
    held = set(session.execute(sa.select(RolePermission.role, RolePermission.permission)))
    rows = [{"name": name, "plugin": plugin, "description": permission.description}
            for name, (plugin, permission) in declared]
    return web.render(request, "people/admin_roles.html", {
        "rows": rows, "roles": ROLES, "held": held, "title": _("Roles and permissions")})


def import_upload(request: Request) -> Response:
    """Upload an HR export: it is checked (a dry run) and its report shown before anything changes."""
    session = web.db(request)
    if request.method == "POST":
        upload = web.form(request).get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationError(_("Choose a CSV file."), {"file": [_("Choose a CSV file.")]})
        raw = upload.file.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise ValidationError(_("The file is larger than 20 MB."), {"file": [_("The file is too large.")]})
        text = hr_import.decode(raw)
        run = ImportRun(created_by=web.user(request).id, filename=str(upload.filename or "")[:200], content=text)
        session.add(run)
        session.flush()
        return web.redirect(request, "people:admin_import_run", run_id=run.id)
    runs = session.scalars(sa.select(ImportRun).order_by(ImportRun.created_at.desc()).limit(10)).all()
    return web.render(request, "people/admin_import.html", {"runs": runs, "title": _("HR import")})


def import_run(request: Request) -> Response:
    """An uploaded file: the dry-run report for the chosen options, and the button that applies it."""
    session = web.db(request)
    run = session.get(ImportRun, request.path_params["run_id"])
    if run is None:
        raise NotFound(_("There is no such import."))
    source = web.form(request) if request.method == "POST" else request.query_params
    options = {"skip_bad_rows": bool(source.get("skip_bad_rows")), "full": bool(source.get("full")),
               "confirm_leavers": bool(source.get("confirm_leavers"))}
    apply = request.method == "POST" and run.applied_at is None
    report = hr_import.run_import(web.site(request), session, run.content, dry_run=not apply,
                                  actor=web.user(request), request=request, skip_bad_rows=options["skip_bad_rows"],
                                  full=options["full"], confirm_leavers=options["confirm_leavers"])
    if apply and report.applied:
        from organet.db import utcnow

        run.applied_at = utcnow()
        run.report = report.as_dict()
        web.flash(request, _("The import is applied."))
        return web.redirect(request, "people:admin_import_run", run_id=run.id)
    return web.render(request, "people/admin_import_run.html", {
        "run": run, "report": report, "options": options, "title": _("HR import")},
        status_code=422 if apply and not report.applied else 200)
