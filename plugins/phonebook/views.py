"""The phonebook's pages: directory, person, profile editing, availability, departments, experts, exports."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook import access, availability, directory, experts, exports, profiles
from organet_plugins.phonebook.models import ABSENCE_KINDS, DAY_PARTS, Absence, FieldRule, Profile
from organet_plugins.phonebook.settings import FIELDS, LEVELS
from starlette.requests import Request
from starlette.responses import Response

from organet import NotFound, PermissionDenied, ValidationError, db, web
from organet.content import save_upload
from organet.db import utcnow
from organet.i18n import gettext as _
from organet.jobs import enqueue
from organet.people import Group, Membership, User, share

PAGE_SIZE = 20
LETTERS = string.ascii_uppercase


# Built once: putting a statement together costs more than running it, and these run on every
# person page and every directory page (the department and location filter lists).
_ACTIVE_PERSON = sa.select(User).where(User.username == sa.bindparam("username"), User.active)
_FILTER_GROUPS = (
    sa.select(Group.id, Group.name, Group.kind)
    .where(Group.kind.in_(("department", "location"))).order_by(Group.name).limit(1000))


def person_or_404(request: Request) -> User:
    """Return the active person named in the URL, or raise 404."""
    username = request.path_params["username"]
    person = web.db(request).scalar(_ACTIVE_PERSON, {"username": username})
    if person is None or person.kind == "service":
        raise NotFound(_("There is no colleague with that name."))
    return person


def search_terms(request: Request, query: str, filters: list[list[str]]) -> list[list[str]]:
    """Build the directory query for this viewer: only the fields they may search everyone by."""
    rules = access.field_rules(request)
    fields = rules.searchable(web.user(request), viewer_is_admin=access.is_admin(request))
    return directory.match_expression(query, {"name", "department", "location", *fields}, filters)


def filters_from(request: Request) -> tuple[list[list[str]], dict[str, str]]:
    """Read the department, location and expertise filters from the query string."""
    params = request.query_params
    chosen = {key: params.get(key, "").strip() for key in ("department", "location", "expertise")}
    filters = [directory.in_groups([int(chosen[k])]) for k in ("department", "location") if chosen[k].isdecimal()]
    if chosen["expertise"]:
        filters.append(["t" + "".join(directory.words(chosen["expertise"]))])
    return filters, chosen


def page_number(request: Request) -> int:
    """The ``page`` query parameter as a number from 1 (1 when missing or not a number)."""
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 1000)) if raw.isdecimal() else 1


def directory_page(request: Request) -> Response:
    """Search colleagues by name, job title, group, expertise or any part of a phone number."""
    query = request.query_params.get("q", "").strip()[:100]
    page = page_number(request)
    filters, chosen = filters_from(request)
    found: list[dict[str, Any]] = []
    more = False
    if query or filters:
        terms = search_terms(request, query, filters)
        ids = directory.search(web.db(request), terms, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        more = len(ids) > PAGE_SIZE
        found = profiles.rows(request, ids[:PAGE_SIZE])
    session = web.db(request)
    groups = db.rows(session, _FILTER_GROUPS)
    return web.render(request, "phonebook/directory.html", {
        "title": _("Phonebook"), "query": query, "rows": found, "page": page, "more": more,
        "searched": bool(query or filters), "chosen": chosen, "letters": LETTERS,
        "browse_url": profiles.route_prefix(request, "phonebook:browse", "letter"),
        "departments": [g for g in groups if g.kind == "department"],
        "locations": [g for g in groups if g.kind == "location"], "tel": profiles.tel,
    })


def browse(request: Request) -> Response:
    """Colleagues whose surname starts with a letter, 50 to a page."""
    letter = request.path_params["letter"].lower()
    if len(letter) != 1 or not letter.isalpha():
        raise NotFound(_("Choose a letter from A to Z."))
    page = page_number(request)
    ids = list(web.db(request).scalars(
        sa.select(User.id).where(User.active, User.kind != "service", User.sort_name >= letter,
                                 User.sort_name < chr(ord(letter) + 1))
        .order_by(User.sort_name, User.id).limit(51).offset((page - 1) * 50)))
    return web.render(request, "phonebook/browse.html", {
        "title": _("Surnames starting with %(letter)s", letter=letter.upper()), "letter": letter.upper(),
        "letters": LETTERS, "rows": profiles.rows(request, ids[:50]), "page": page, "more": len(ids) > 50,
        "browse_url": profiles.route_prefix(request, "phonebook:browse", "letter"),
        "tel": profiles.tel})


def new_colleagues(request: Request) -> Response:
    """Colleagues who joined in the last weeks, newest first."""
    found = profiles.rows(request, recent_ids(request, 100))
    return web.render(request, "phonebook/new.html", {"title": _("New colleagues"), "rows": found,
                                                      "tel": profiles.tel})


def recent_ids(request: Request, limit: int) -> list[int]:
    """Return the ids of the newest employees, within the site's 'new colleague' period."""
    days = web.setting(request, "phonebook", "new_colleague_days")
    since = utcnow() - dt.timedelta(days=days)
    return list(web.db(request).scalars(
        sa.select(User.id).where(User.created_at >= since, User.active, User.kind == "employee")
        .order_by(User.created_at.desc()).limit(limit)))


def person_page(request: Request) -> Response:
    """One colleague: how to reach them, where they sit, who they work with, when they are in."""
    person = person_or_404(request)
    context = profiles.card(request, person)
    context.update(title=person.name, tel=profiles.tel, absences=[])
    if context["may_plan"] or context["may_see_reasons"]:
        context["absences"] = availability.upcoming_absences(web.db(request), person.id)
    return web.render(request, "phonebook/person.html", context)


def edit_profile(request: Request) -> Response:
    """Change one's own profile within the fields the admin allows; HR fields are shown read-only."""
    person = person_or_404(request)
    if not access.may_edit(request, person):
        raise PermissionDenied(_("You may change only your own profile."))
    session = web.db(request)
    profile = profiles.profile_of(session, person.id)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {f: getattr(profile, f, "") for f in profiles.EDITABLE if f != "expertise"}
    values["languages"] = ", ".join(profile.languages or [])
    values["expertise"] = ", ".join(t.label for t in profiles.tags_of(session, person.id))
    allowed = profiles.editable_fields(request, person, profile)
    if request.method == "POST":
        form = web.form(request)
        data = {f: str(form.get(f, "")) for f in allowed}
        try:
            profiles.update(request, person, data)
        except ValidationError as error:
            session.rollback()
            errors = error.errors
            values.update(data)
        else:
            web.flash(request, _("Your profile is saved."))
            return web.redirect(request, "phonebook:person", username=person.username)
    return web.render(request, "phonebook/edit.html", {
        "title": _("Edit profile"), "person": person, "values": values, "allowed": allowed, "errors": errors,
        "may_change_photo": profiles.may_change_photo(request, person),
        "labels": {**FIELDS, "expertise": _("Expertise (comma separated)"),
                   "languages": _("Languages (comma separated)")},
    }, status_code=422 if errors else 200)


def photo(request: Request) -> Response:
    """Upload a new photo (checked, stripped of metadata and thumbnailed by the core) or remove it."""
    person = person_or_404(request)
    if not access.may_edit(request, person) or not profiles.may_change_photo(request, person):
        raise PermissionDenied(_("You may change only your own photo."))
    session = web.db(request)
    profile = profiles.profile_of(session, person.id)
    if session.get(Profile, person.id) is None:
        session.add(profile)
    form = web.form(request)
    upload = form.get("photo")
    if form.get("remove"):
        profile.photo = None
    elif upload is None or isinstance(upload, str) or not upload.filename:
        raise ValidationError(_("Choose a photo to upload."), {"photo": [_("Choose a file.")]})
    else:
        saved = save_upload(session, web.site(request), upload, person, "phonebook", "photo", person.id,
                            images_only=True)
        profile.photo = f"{saved.id}/{saved.filename}"
    web.flash(request, _("Your photo is saved.") if profile.photo else _("Your photo is removed."))
    return web.redirect(request, "phonebook:person", username=person.username)


def plan(request: Request) -> Response:
    """Set the weekly working pattern and add or remove absences: the person, their manager or an admin."""
    person = person_or_404(request)
    if not access.may_plan(request, person):
        raise PermissionDenied(_("Only the person, their manager and admins plan their days."))
    session = web.db(request)
    profile = profiles.profile_of(session, person.id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = web.form(request)
        action = str(form.get("action", ""))
        if action == "pattern":
            chosen = [f"{d}-{p}" for d in range(7) for p in DAY_PARTS if form.get(f"{d}-{p}")]
            if session.get(Profile, person.id) is None:
                session.add(profile)
            profile.pattern = chosen
            web.flash(request, _("The working pattern is saved."))
            return web.redirect(request, "phonebook:plan", username=person.username)
        if action == "absence":
            try:
                add_absence(request, person, form.get("starts_on"), form.get("ends_on"), form.get("kind"))
            except ValidationError as error:
                errors = error.errors
            else:
                web.flash(request, _("The absence is saved."))
                return web.redirect(request, "phonebook:plan", username=person.username)
        elif action == "remove":
            absence_id = str(form.get("absence", ""))
            absence = session.get(Absence, int(absence_id)) if absence_id.isdecimal() else None
            if absence is None or absence.person_id != person.id:
                raise NotFound(_("That absence does not exist."))
            session.delete(absence)
            web.flash(request, _("The absence is removed."))
            return web.redirect(request, "phonebook:plan", username=person.username)
        elif action != "absence":
            raise ValidationError(_("Choose what to save."))
    return web.render(request, "phonebook/plan.html", {
        "title": _("Working days and absences"), "person": person, "pattern": profile.pattern or [],
        "weekdays": weekday_names(), "parts": DAY_PARTS, "kinds": ABSENCE_KINDS, "errors": errors,
        "absences": availability.upcoming_absences(session, person.id, limit=50),
    }, status_code=422 if errors else 200)


def weekday_names() -> list[str]:
    """Monday to Sunday in the interface language."""
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def add_absence(request: Request, person: User, starts: Any, ends: Any, kind: Any) -> Absence:
    """Store an absence after checking its dates and kind; the source says who entered it."""
    errors: dict[str, list[str]] = {}
    try:
        first = dt.date.fromisoformat(str(starts or ""))
        last = dt.date.fromisoformat(str(ends or starts or ""))
    except ValueError:
        raise ValidationError(_("Give the dates as YYYY-MM-DD."), {"starts_on": [_("Use a date.")]}) from None
    if last < first:
        errors["ends_on"] = [_("The last day comes on or after the first day.")]
    elif (last - first).days > 366:
        errors["ends_on"] = [_("An absence lasts at most a year; enter longer ones in parts.")]
    if kind not in ABSENCE_KINDS:
        errors["kind"] = [_("Choose leave, course or sick.")]
    if errors:
        raise ValidationError(_("Some fields need another look."), errors)
    viewer = web.user(request)
    absence = Absence(person_id=person.id, starts_on=first, ends_on=last, kind=str(kind),
                      source="self" if viewer.id == person.id else "manager", created_by_id=viewer.id)
    web.db(request).add(absence)
    return absence


def department_page(request: Request) -> Response:
    """A department: its place in the organisation tree, its sub-departments and its members."""
    session = web.db(request)
    group = session.scalar(sa.select(Group).where(Group.slug == request.path_params["slug"]))
    if group is None or group.kind not in ("department", "location"):
        raise NotFound(_("There is no department with that name."))
    trail = []
    parent = group.parent_id
    while parent is not None and len(trail) < 20:
        above = session.get(Group, parent)
        if above is None:
            break
        trail.insert(0, above)
        parent = above.parent_id
    children = session.scalars(sa.select(Group).where(Group.parent_id == group.id).order_by(Group.name)).all()
    page = page_number(request)
    managers = directory.search(session, [directory.in_groups([group.id], roles=("manager",))], 20) if page == 1 else []
    members = directory.search(session, [directory.in_groups([group.id], roles=("member",))], 51, (page - 1) * 50)
    return web.render(request, "phonebook/department.html", {
        "title": group.name, "group": group, "trail": trail, "children": children, "page": page,
        "managers": profiles.rows(request, managers), "rows": profiles.rows(request, members[:50]),
        "more": len(members) > 50, "tel": profiles.tel})


def experts_page(request: Request) -> Response:
    """Who knows about a topic, ranked by declared expertise and other plugins' signals."""
    topic = request.query_params.get("topic", "").strip()[:80]
    found = []
    if topic:
        found = experts_for(request, topic)
    return web.render(request, "phonebook/experts.html", {"title": _("Find an expert"), "topic": topic,
                                                          "experts": found})


def experts_for(request: Request, topic: str, limit: int = 20) -> list[dict[str, Any]]:
    """Ask the site (through the ``phonebook_experts`` hook, as any plugin would) who knows about ``topic``."""
    site = web.site(request)
    return site.hook.phonebook_experts(site=site, session=web.db(request), topic=topic, limit=limit) or []


def find_experts(session: Any, site: Any, topic: str, limit: int) -> list[dict[str, Any]]:
    """Answer the ``phonebook_experts`` hook: declared expertise plus every plugin's signals."""
    signals = site.hook.phonebook_expertise_signals(session=session, topic=directory.tag_of(topic))
    return experts.find_experts(session, topic, limit, signals)


def person_vcard(request: Request) -> Response:
    """Download one colleague's card (vCard), with only the fields the viewer may see."""
    person = person_or_404(request)
    return exports.vcard_response([profiles.card(request, person)], person.username)


def department_vcard(request: Request) -> Response:
    """Download the cards of a department's members (vCard)."""
    session = web.db(request)
    group = session.scalar(sa.select(Group).where(Group.slug == request.path_params["slug"]))
    if group is None:
        raise NotFound(_("There is no department with that name."))
    members = session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id)
                              .where(Membership.group_id == group.id, User.active)
                              .order_by(User.sort_name).limit(500)).all()
    return exports.vcard_response([profiles.card(request, p) for p in members], group.slug)


def export_csv(request: Request) -> Response:
    """Every active person with every phonebook field, for admins (cells that look like formulas neutralised)."""
    return exports.csv_response(web.db(request))


def admin_page(request: Request) -> Response:
    """Who sees each field (employees, own groups, only the person), and which external groups see it."""
    session = web.db(request)
    if request.method == "POST":
        form = web.form(request)
        for field in FIELDS:
            level = str(form.get(f"level-{field}", ""))
            if level in LEVELS:
                session.merge(FieldRule(field=field, level=level))
            share(session, "phonebook", "field", field, [int(v) for v in form.getlist(f"share-{field}")
                                                          if str(v).isdecimal()])
        web.configuration_changed(request)  # every worker reads the rules again
        # Search documents hold the fields each audience may find: rebuild them in the background.
        enqueue(session, "phonebook.reindex", key="phonebook.reindex")
        web.flash(request, _("Saved. Search results follow within minutes."))
        return web.redirect(request, "phonebook:admin")
    groups = session.scalars(sa.select(Group).order_by(Group.kind, Group.name).limit(1000)).all()
    return web.render(request, "phonebook/admin.html", {"title": _("Phonebook fields"), "fields": FIELDS,
                                                       "levels": LEVELS, "rules": access.field_rules(request),
                                                       "groups": groups})
