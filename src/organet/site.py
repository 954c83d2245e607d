"""A running site: its configuration, plugin manager, database and everything the plugins declared.

:func:`build_site` is the one place where the declarations from ``register_*`` hooks are
collected and checked; everything after start-up reads them from the :class:`Site`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pluggy

from organet.cache import changes
from organet.config import CORE_SECTIONS, Config, validate_section
from organet.db import Database
from organet.errors import ConfigError, PluginError
from organet.plugins import LoadedPlugin, build_plugin_manager, collect, installed_plugins
from organet.types import (
    PERMISSION_NAME,
    PUBLIC,
    SIGNED_IN,
    AdminPage,
    ApiRoute,
    Job,
    NavEntry,
    Page,
    Permission,
    Setting,
    Widget,
)

log = logging.getLogger("organet")


@dataclass
class Site:
    """Everything one organet site knows after start-up. Reach it as ``request.app.state.site``."""

    config: Config
    pm: pluggy.PluginManager
    plugins: dict[str, LoadedPlugin]
    db: Database
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    declared_settings: dict[str, tuple[Setting, ...]] = field(default_factory=dict)
    permissions: dict[str, tuple[str, Permission]] = field(default_factory=dict)
    pages: list[tuple[str, Page]] = field(default_factory=list)
    api_routes: list[tuple[str, ApiRoute]] = field(default_factory=list)
    navigation: list[tuple[str, NavEntry]] = field(default_factory=list)
    widgets: list[tuple[str, Widget]] = field(default_factory=list)
    admin_pages: list[tuple[str, AdminPage]] = field(default_factory=list)
    jobs: dict[str, tuple[str, Job]] = field(default_factory=dict)
    models: dict[str, list[Any]] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def hook(self) -> Any:
        """The plugin manager's hook caller: ``site.hook.on_user_erased(user=..., session=...)``."""
        return self.pm.hook

    def is_enabled(self, plugin: str) -> bool:
        """True when ``plugin`` is registered with this site (essential or enabled in the config)."""
        return plugin in self.plugins

    def setting(self, plugin: str, key: str) -> Any:
        """Return a plugin's setting: the value an admin stored at run time, else the config's."""
        runtime = self.state.get("runtime")
        if runtime is not None:
            stored = runtime.setting(plugin, key)
            if stored is not None:
                return stored
        return self.settings[plugin][key]


def build_site(config: Config, *, database: Database | None = None) -> Site:
    """Build the plugin manager, validate settings and collect every declaration.

    Raises :class:`organet.errors.StartupError` (or :class:`ConfigError`) with one message
    naming the plugin or the key and the fix; nothing half-started is left behind.
    """
    pm, loaded = build_plugin_manager(config.plugins)
    plugins = {p.name: p for p in loaded}
    site = Site(config=config, pm=pm, plugins=plugins, db=database or Database(config.database_url))
    changes.install(site.db.session_factory)
    _collect_settings(site)
    _collect_permissions(site)
    _collect_models(site)
    site.pages = collect(pm, "register_routes")
    site.api_routes = collect(pm, "register_api_routes")
    _check_routes(site)
    site.navigation = sorted(collect(pm, "register_navigation"), key=lambda pair: pair[1].order)
    site.widgets = sorted(collect(pm, "register_widgets"), key=lambda pair: pair[1].order)
    site.admin_pages = sorted(collect(pm, "register_admin_pages"), key=lambda pair: pair[1].order)
    for plugin, job in collect(pm, "register_jobs"):
        if job.name in site.jobs:
            raise PluginError(f"Plugins {site.jobs[job.name][0]!r} and {plugin!r} both declare the job "
                              f"{job.name!r}; job names must be unique (use '<plugin>.<job>').")
        site.jobs[job.name] = (plugin, job)
    return site


def _collect_settings(site: Site) -> None:
    config = site.config
    for name, declared in CORE_SECTIONS.items():
        site.declared_settings[name] = declared
    for plugin, setting in collect(site.pm, "register_settings"):
        site.declared_settings.setdefault(plugin, ())
        site.declared_settings[plugin] += (setting,)
    installed = set(installed_plugins()) | set(site.plugins)
    for name in config.plugin_settings:
        if name not in installed:
            raise ConfigError(f"{config.source}: [plugins.{name}] is for a plugin that is not installed.\n"
                              f"Correct the name, install the plugin, or remove the [plugins.{name}] table.")
    for name in site.plugins:
        declared = site.declared_settings.get(name, ())
        raw = config.plugin_settings.get(name, {})
        site.settings[name] = validate_section(declared, raw, f"{config.source}: [plugins.{name}]")
    site.settings["site"] = config.site
    site.settings["mail"] = config.mail


def _collect_permissions(site: Site) -> None:
    for plugin, permission in collect(site.pm, "register_permissions"):
        if not PERMISSION_NAME.match(permission.name):
            raise PluginError(f"Plugin {plugin!r} declares the permission {permission.name!r}; permission "
                              "names are kebab-case verb-noun, such as 'moderate-posts'.")
        if permission.name in site.permissions:
            other = site.permissions[permission.name][0]
            raise PluginError(f"Plugins {other!r} and {plugin!r} both declare the permission "
                              f"{permission.name!r}; one of them must rename it.")
        site.permissions[permission.name] = (plugin, permission)


def _collect_models(site: Site) -> None:
    for plugin, model in collect(site.pm, "register_models"):
        table = getattr(model, "__table__", model)
        name = getattr(table, "name", None)
        if not isinstance(name, str) or not (name == plugin or name.startswith(plugin + "_")):
            raise PluginError(f"Plugin {plugin!r} declares a model with the table {name!r}; a plugin's "
                              f"tables must be named '{plugin}_<plural>', such as '{plugin}_items'.")
        site.models.setdefault(plugin, []).append(model)


def _check_routes(site: Site) -> None:
    seen: dict[str, str] = {}
    routes: list[tuple[str, Page | ApiRoute]] = [*site.pages, *site.api_routes]
    for plugin, route in routes:
        kind = "API route" if isinstance(route, ApiRoute) else "page"
        if not route.permission:
            raise PluginError(f"Plugin {plugin!r} declares the {kind} {route.path!r} without a permission; "
                              "every route states one (or organet.PUBLIC / organet.SIGNED_IN).")
        if route.permission not in (PUBLIC, SIGNED_IN) and route.permission not in site.permissions:
            raise PluginError(f"Plugin {plugin!r} declares the {kind} {route.path!r} with the permission "
                              f"{route.permission!r}, which no enabled plugin declares.\n"
                              "Declare it in register_permissions, or correct its spelling.")
        key = f"{kind}:{plugin}:{route.name}"
        if key in seen:
            raise PluginError(f"Plugin {plugin!r} declares two {kind}s named {route.name!r}.")
        seen[key] = plugin
