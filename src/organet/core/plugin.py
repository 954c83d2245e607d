"""The core's hook implementations: its pages, permissions and admin menu."""

from __future__ import annotations

from organet.core import branding, views
from organet.core.models import Audience, DashboardChoice, Revision, StoredSetting
from organet.hooks import hookimpl
from organet.i18n import N_
from organet.types import PUBLIC, SIGNED_IN, AdminPage, FormSpec, Page, Permission, Setting


@hookimpl
def register_models() -> list[type]:
    return [StoredSetting, Audience, Revision, DashboardChoice]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission("administer-site", N_("Open the admin section; manage plugins, people and settings"),
                   default_roles=("admin",)),
    ]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/", views.dashboard, name="dashboard", permission=SIGNED_IN),
        Page("/dashboard", views.arrange_dashboard, name="arrange", permission=SIGNED_IN, methods=("POST",)),
        Page("/healthz", views.healthz, name="healthz", permission=PUBLIC),
        Page("/language", views.choose_language, name="language", permission=PUBLIC, methods=("POST",)),
        Page("/admin/", views.admin_index, name="admin", permission="administer-site"),
        Page("/admin/plugins", views.admin_plugins, name="admin_plugins", permission="administer-site"),
        Page("/admin/plugins/{plugin}", views.admin_plugin, name="admin_plugin", permission="administer-site",
             methods=("GET", "POST")),
        Page("/branding.css", branding.stylesheet, name="branding_css", permission=PUBLIC),
        Page("/admin/branding", branding.admin_branding, name="admin_branding", permission="administer-site",
             methods=("GET", "POST"), write=True),
        Page("/branding/logo/{id}/{name}", branding.logo, name="logo", permission=PUBLIC),
    ]


@hookimpl
def register_settings() -> list[Setting]:
    return list(branding.SETTINGS)


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Plugins"), "core:admin_plugins", order=10),
            AdminPage(N_("Appearance"), "core:admin_branding", order=20)]


@hookimpl
def register_forms() -> list[FormSpec]:
    return [
        FormSpec("core:language", fields=["language", "next"], shown_at=["/"]),
        FormSpec("core:arrange", fields=["widget", "action"], shown_at=["/"]),
        FormSpec("core:admin_plugin", fields=["audience"], defaults={}, shown_at=["/admin/plugins"],
                 prepare=lambda app, user: {"path": {"plugin": "core"}}),
    ]
