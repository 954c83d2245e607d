"""The phonebook plugin's hook implementations: what it declares to the core, and the hooks it answers."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from organet_plugins.phonebook import access, api, demo, directory, documents, privacy, profiles, sync, views, widgets
from organet_plugins.phonebook import settings as phonebook_settings
from organet_plugins.phonebook.access import EDIT_ANY, VIEW_REASONS
from organet_plugins.phonebook.models import Absence, Entry, Expertise, FieldRule, Profile

from organet import ApiRoute, FormSpec, Job, NavEntry, Page, Permission, Widget, hookimpl, web
from organet.i18n import N_
from organet.i18n import gettext as _
from organet.people import ImportColumn, ProfileSection, User
from organet.search import SearchSource
from organet.types import AdminPage

VIEW = "view-phonebook"
EXPORT = "export-phonebook"


@hookimpl
def register_settings() -> list[Any]:
    return phonebook_settings.declared()


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(VIEW, N_("Look colleagues up in the phonebook"),
                   default_roles=("admin", "editor", "member", "external")),
        Permission(EDIT_ANY, N_("See every phonebook field and change anyone's profile"), default_roles=("admin",)),
        Permission(VIEW_REASONS, N_("See why colleagues are absent (leave, course, sick)"), default_roles=()),
        Permission(EXPORT, N_("Download the whole phonebook as CSV"), default_roles=("admin",)),
    ]


@hookimpl
def register_models() -> list[type]:
    return [Profile, FieldRule, Expertise, Absence, Entry]


@hookimpl
def register_routes() -> list[Page]:
    both = ("GET", "POST")
    return [
        Page("/", views.directory_page, name="directory", permission=VIEW),
        Page("/browse/{letter}", views.browse, name="browse", permission=VIEW),
        Page("/new", views.new_colleagues, name="new", permission=VIEW),
        Page("/experts", views.experts_page, name="experts", permission=VIEW),
        Page("/people/{username}", views.person_page, name="person", permission=VIEW),
        Page("/people/{username}/edit", views.edit_profile, name="edit", permission=VIEW, methods=both),
        Page("/people/{username}/photo", views.photo, name="photo", permission=VIEW, methods=("POST",)),
        Page("/people/{username}/plan", views.plan, name="plan", permission=VIEW, methods=both),
        Page("/people/{username}/vcard", views.person_vcard, name="vcard", permission=VIEW),
        Page("/departments/{slug}", views.department_page, name="department", permission=VIEW),
        Page("/departments/{slug}/vcard", views.department_vcard, name="department_vcard", permission=VIEW),
        Page("/export.csv", views.export_csv, name="export", permission=EXPORT),
        Page("/admin", views.admin_page, name="admin", permission="administer-site", methods=both),
    ]


@hookimpl
def register_api_routes() -> list[ApiRoute]:
    return [
        ApiRoute("/people", api.search, name="people", permission=VIEW, paginated=True,
                 summary="Search the directory", query_params=("q", "department", "location", "expertise")),
        ApiRoute("/suggest", api.suggest, name="suggest", permission=VIEW, summary="Names as you type",
                 query_params=("q",)),
        ApiRoute("/people/{username}", api.person, name="person", permission=VIEW, summary="One colleague"),
        ApiRoute("/people/{username}", api.update_person, name="update_person", permission=VIEW,
                 methods=("PATCH",), request_model=api.ProfileUpdate, summary="Change your own profile"),
        ApiRoute("/experts", api.experts, name="experts", permission=VIEW, summary="Who knows about a topic",
                 query_params=("topic",)),
    ]


@hookimpl
def register_navigation() -> list[NavEntry]:
    return [NavEntry(N_("Phonebook"), "phonebook:directory", permission=VIEW, order=10)]


@hookimpl
def register_widgets() -> list[Widget]:
    return [
        Widget("absent_today", N_("Away today in my department"), widgets.absent_today, permission=VIEW, order=20),
        Widget("new_colleagues", N_("New colleagues"), widgets.new_colleagues, permission=VIEW, order=30),
    ]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Phonebook fields"), "phonebook:admin", order=40)]


def _own_profile(app: Any, user: Any) -> dict[str, Any]:
    return {"path": {"username": user.username}, "data": {}}


@hookimpl
def register_forms() -> list[FormSpec]:
    shown = ("/phonebook/people/{username}", "/phonebook/?q=mallory", "/phonebook/people/{username}/edit")
    return [
        FormSpec("phonebook:edit", fields=profiles.EDITABLE, shown_at=shown, prepare=_own_profile, role="member"),
        FormSpec("phonebook:plan", fields=("starts_on", "ends_on", "kind"), defaults={"action": "absence"},
                 shown_at=shown, prepare=_own_profile, role="member"),
        FormSpec("phonebook:admin", fields=tuple(f"level-{field}" for field in phonebook_settings.FIELDS)[:3]),
    ]


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job("phonebook.refresh", sync.refresh, every=sync.REFRESH_EVERY,
            description="Reindex colleagues whose name, groups or profile changed"),
        Job("phonebook.rebuild", sync.rebuild, every=timedelta(hours=24),
            description="Rebuild the directory index and the phonebook's search documents"),
        Job("phonebook.reindex", sync.rebuild, description="Rebuild after an admin changed who sees which field"),
    ]


@hookimpl
def register_search_sources() -> list[SearchSource]:
    return [
        SearchSource("phonebook", kind, label, partial(documents.all_documents, kind=kind))
        for kind, label in (("profile", N_("Colleagues' details")),
                            ("profile_groups", N_("Colleagues' details (own groups)")))
    ]


@hookimpl
def register_import_columns() -> list[ImportColumn]:
    return sync.import_columns()


@hookimpl
def person_profile_sections(request: Any, person: Any) -> list[ProfileSection]:
    if not web.has_permission(request, VIEW) or not getattr(person, "active", False):
        return []
    context = {**profiles.card(request, person), "tel": profiles.tel}
    return [ProfileSection(_("Phonebook"), web.render_fragment(request, "phonebook/_card.html", context), order=20)]


@hookimpl
def object_visible_to(user: Any, session: Any, plugin: str, kind: str, object_id: str) -> bool | None:
    if plugin != "phonebook":
        return None
    person = session.get(User, int(object_id)) if object_id.isdecimal() else None
    if person is None or not person.active:
        return False
    if kind != "photo":
        return True  # search documents carry their own audience
    rules = access.load_rules(session)
    admin = getattr(user, "role", "") == "admin"
    return "photo" in rules.visible(user, person, viewer_is_admin=admin, person_group_ids=person.group_ids)


@hookimpl
def export_person_data(session: Any, person: Any) -> dict[str, Any]:
    return privacy.export(session, person)


@hookimpl
def on_person_erased(session: Any, person: Any) -> None:
    privacy.erase(session, person)


@hookimpl
def phonebook_experts(site: Any, session: Any, topic: str, limit: int) -> list[dict[str, Any]]:
    return views.find_experts(session, site, topic, limit)


@hookimpl
def load_demo_data(session: Any, people: list[Any], rng: Any) -> None:
    demo.load(session, people, rng)
    directory.reindex(session, [p.id for p in people])
    documents.index_people(session, [p.id for p in people])
