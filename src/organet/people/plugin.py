"""The people plugin's hook implementations."""

from __future__ import annotations

from organet.hooks import hookimpl
from organet.i18n import N_
from organet.people import admin, privacy, views
from organet.people.models import Group, ImportRun, KnownPermission, Membership, RolePermission, Share, User
from organet.types import SIGNED_IN, AdminPage, ApiRoute, Job, NavEntry, Page, Permission, Setting

DEFAULT_COLUMNS = ["hr_id=employee_id", "username=username", "email=email", "given_name=given_name",
                   "tussenvoegsel=tussenvoegsel", "surname=surname", "department=department",
                   "department_code=department_code", "parent_department_code=parent_department_code",
                   "kind=kind"]


@hookimpl
def register_models() -> list[type]:
    return [User, Group, Membership, RolePermission, KnownPermission, Share, ImportRun]


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("import_columns", list, DEFAULT_COLUMNS,
                "How the HR export's column headers map to organet's fields, as 'field=Header'. Fields: hr_id "
                "(required), username, email, given_name, tussenvoegsel, surname, department, department_code, "
                "parent_department_code, kind, and any column a plugin claims (see `organet user import --help`).",
                example=["hr_id=Personeelsnummer", "surname=Achternaam", "department=Afdeling", "phone=Telefoon"]),
        Setting("erase_deactivated_after_days", int, 0,
                "Erase people this many days after they were deactivated (0: never). Applied daily.",
                example=730, runtime=True, minimum=0, maximum=36500),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("view-people", N_("See the people list, profiles and groups, and pick colleagues"),
                   default_roles=("admin", "editor", "member")),
        Permission("manage-people", N_("Create, edit, deactivate, import and erase people; manage groups"),
                   default_roles=("admin",)),
    ]


@hookimpl
def register_routes() -> list[Page]:
    manage = "manage-people"
    return [
        Page("/people/", views.people_list, name="list", permission="view-people"),
        Page("/people/{username}", views.person, name="person", permission="view-people"),
        Page("/people/{username}/edit", views.edit_profile, name="edit", permission=SIGNED_IN,
             methods=("GET", "POST")),
        Page("/people/{username}/export", privacy.export, name="export", permission=SIGNED_IN),
        Page("/groups/", views.groups_index, name="groups", permission="view-people"),
        Page("/groups/{slug}", views.group, name="group", permission="view-people"),
        Page("/admin/people/", admin.people, name="admin_people", permission=manage, methods=("GET", "POST")),
        Page("/admin/people/import", admin.import_upload, name="admin_import", permission=manage,
             methods=("GET", "POST")),
        Page("/admin/people/import/{run_id:int}", admin.import_run, name="admin_import_run", permission=manage,
             methods=("GET", "POST")),
        Page("/admin/people/{username}", admin.person, name="admin_person", permission=manage,
             methods=("GET", "POST")),
        Page("/admin/people/{username}/erase", privacy.erase_page, name="admin_erase", permission=manage,
             methods=("GET", "POST")),
        Page("/admin/groups/", admin.groups, name="admin_groups", permission=manage, methods=("GET", "POST")),
        Page("/admin/groups/{slug}", admin.group, name="admin_group", permission=manage, methods=("GET", "POST")),
        Page("/admin/roles", admin.roles, name="admin_roles", permission="administer-site", methods=("GET", "POST")),
    ]


@hookimpl
def register_api_routes() -> list[ApiRoute]:
    return [
        ApiRoute("/picker", views.picker, name="picker", permission="view-people", query_params=("q",),
                 summary="People whose name, username or e-mail starts with q (at most 10), for the person picker"),
    ]


@hookimpl
def register_navigation() -> list[NavEntry]:
    return [NavEntry(N_("People"), "people:list", "view-people", order=10)]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [
        AdminPage(N_("People"), "people:admin_people", permission="manage-people", order=20),
        AdminPage(N_("Groups"), "people:admin_groups", permission="manage-people", order=30),
        AdminPage(N_("HR import"), "people:admin_import", permission="manage-people", order=40),
        AdminPage(N_("Roles and permissions"), "people:admin_roles", order=50),
    ]


@hookimpl
def register_jobs() -> list[Job]:
    import datetime as dt

    return [Job("people.retention", privacy.retention_job, every=dt.timedelta(days=1),
                description="Erase people deactivated longer ago than erase_deactivated_after_days")]
