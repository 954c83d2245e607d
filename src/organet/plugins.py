"""Plugin discovery and the plugin manager: one per site, built by :func:`build_plugin_manager`.

Essential plugins (the core's own: people, sign-in, search, ...) are registered first and
cannot be disabled. Every other plugin, first-party or not, is found through the ``organet``
entry-point group and registered only when the site's configuration enables it.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from organet import hooks
from organet.errors import PluginError, StartupError
from organet.types import PLUGIN_NAME, PluginInfo
from organet.version import __version__

log = logging.getLogger("organet.plugins")

ENTRY_POINT_GROUP = "organet"

ESSENTIAL_MODULES: tuple[str, ...] = (
    "organet.people",
    "organet.core",
    "organet.auth",
    "organet.audit",
    "organet.jobs",
    "organet.mail",
    "organet.cache",
    "organet.search",
    "organet.notifications",
    "organet.activity",
    "organet.content",
)


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin registered with a site: its metadata, its package and where its files are."""

    info: PluginInfo
    package: ModuleType
    hooks: ModuleType

    @property
    def name(self) -> str:
        """The plugin's name, as used in config, URLs, table prefixes and route names."""
        return self.info.name

    @property
    def folder(self) -> Path:
        """The folder of the plugin's package, where templates/, static/ and migrations/ live."""
        return Path(self.package.__file__ or "").parent

    @property
    def migrations(self) -> Path:
        """The folder with this plugin's Alembic revisions."""
        return self.folder / "migrations" / "versions"


def installed_plugins() -> dict[str, EntryPoint]:
    """Return every plugin installed through the ``organet`` entry-point group, by name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_package(module_name: str, *, name_hint: str) -> LoadedPlugin:
    """Import a plugin package and its hook module; raise :class:`PluginError` when either fails.

    The package carries ``PLUGIN`` (a :class:`PluginInfo`); hookimpls live in its ``plugin``
    submodule, or in the package itself for a one-module plugin.
    """
    try:
        package = importlib.import_module(module_name)
    except Exception as error:
        raise PluginError(f"Plugin {name_hint!r} could not be imported: {type(error).__name__}: {error}.\n"
                          f"Reinstall it (pip install --force-reinstall ...) or disable it in organet.toml "
                          f"with `organet plugins disable {name_hint}`.") from error
    info = getattr(package, "PLUGIN", None)
    if not isinstance(info, PluginInfo):
        raise PluginError(f"Plugin {name_hint!r} ({module_name}) has no PLUGIN = organet.PluginInfo(...) "
                          "in its package; its author must add one (see docs/writing-plugins.md).")
    if not PLUGIN_NAME.match(info.name):
        raise PluginError(f"Plugin {module_name} is named {info.name!r}; a plugin name is lower case letters, "
                          "digits and underscores, starting with a letter.")
    hook_module = package
    submodule = f"{module_name}.plugin"
    if hasattr(package, "__path__") and importlib.util.find_spec(submodule) is not None:
        try:
            hook_module = importlib.import_module(submodule)
        except Exception as error:
            raise PluginError(f"Plugin {info.name!r} could not be imported ({submodule}): "
                              f"{type(error).__name__}: {error}.\nReinstall or disable it.") from error
    return LoadedPlugin(info=info, package=package, hooks=hook_module)


def check_compatible(plugin: LoadedPlugin, running: str = __version__) -> None:
    """Stop start-up when the plugin was made for other organet versions."""
    try:
        wanted = SpecifierSet(plugin.info.organet)
    except InvalidSpecifier:
        raise PluginError(f"Plugin {plugin.name!r} declares organet={plugin.info.organet!r}, which is not "
                          "a version range; its author should write one such as '>=0.1,<1'.") from None
    if not wanted.contains(Version(running), prereleases=True):
        raise PluginError(f"Plugin {plugin.name!r} {plugin.info.version} works with organet "
                          f"{plugin.info.organet}, but this is organet {running}.\n"
                          f"Install a version of the plugin made for organet {running}, or disable it "
                          f"with `organet plugins disable {plugin.name}`.")


def build_plugin_manager(enabled: list[str]) -> tuple[pluggy.PluginManager, list[LoadedPlugin]]:
    """Build a fresh plugin manager with the essential plugins and the ``enabled`` ones.

    Called by :func:`organet.create_app` (and the CLI), never at import, so that two sites in
    one process never share hooks. Raises :class:`StartupError` naming the plugin and the fix
    when a plugin is not installed, fails to import, is incompatible, needs a plugin that is
    not enabled, or implements a hook that does not exist.
    """
    pm = pluggy.PluginManager("organet")
    pm.add_hookspecs(hooks)
    loaded: list[LoadedPlugin] = [load_package(m, name_hint=m.rsplit(".", 1)[-1]) for m in ESSENTIAL_MODULES]
    essential_names = {p.name for p in loaded}
    available = installed_plugins()
    for name in enabled:
        if name in essential_names:
            continue  # part of the core, always on
        entry = available.get(name)
        if entry is None:
            known = ", ".join(sorted(available)) or "none"
            raise StartupError(f"Plugin {name!r} is enabled in the configuration but is not installed.\n"
                               f"Install it with pip, or remove it with `organet plugins disable {name}`. "
                               f"Installed plugins: {known}.")
        plugin = load_package(entry.value.split(":")[0], name_hint=name)
        if plugin.name != name:
            raise PluginError(f"The entry point {name!r} loads a plugin that calls itself {plugin.name!r}; "
                              "the two names must be the same.")
        check_compatible(plugin)
        loaded.append(plugin)
    names = {p.name for p in loaded}
    for plugin in loaded:
        missing = [r for r in plugin.info.requires if r not in names]
        if missing:
            raise StartupError(f"Plugin {plugin.name!r} needs the plugin(s) {', '.join(missing)}, which "
                               f"{'is' if len(missing) == 1 else 'are'} not enabled.\n"
                               f"Enable {' and '.join(missing)} too: `organet plugins enable "
                               f"{' '.join(missing)}`, or disable {plugin.name}.")
    for plugin in loaded:
        pm.register(plugin.hooks, name=plugin.name)
    _add_plugin_defined_hookspecs(pm, loaded)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        owner = pm.get_name(error.plugin) or "?"
        raise PluginError(f"Plugin {owner!r} implements a hook that no enabled plugin defines: {error}.\n"
                          "Check the spelling of the hook function's name against docs/hooks.md, or mark it "
                          "@hookimpl(optionalhook=True) when it extends a plugin that may be absent.") from None
    if os.environ.get("ORGANET_TRACE_HOOKS") == "1":
        pm.trace.root.setwriter(log.info)
        pm.enable_tracing()
    return pm, loaded


def _add_plugin_defined_hookspecs(pm: pluggy.PluginManager, loaded: list[LoadedPlugin]) -> None:
    """Add the hookspecs that plugins define for each other (a ``hookspecs`` submodule)."""
    for plugin in loaded:
        module_name = f"{plugin.package.__name__}.hookspecs"
        if hasattr(plugin.package, "__path__") and importlib.util.find_spec(module_name) is not None:
            pm.add_hookspecs(importlib.import_module(module_name))


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a ``register_*`` hook and return ``(plugin_name, item)`` for every item returned.

    A plugin that raises stops start-up with a message naming it.
    """
    results: list[tuple[str, Any]] = []
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):
        try:
            returned = impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
        except Exception as error:
            raise PluginError(f"Plugin {impl.plugin_name!r} failed in {hook_name}: "
                              f"{type(error).__name__}: {error}.\nFix the plugin, or disable it with "
                              f"`organet plugins disable {impl.plugin_name}`.") from error
        for item in returned or ():
            results.append((impl.plugin_name, item))
    return results


def load_essential_names() -> tuple[str, ...]:
    """Return the names of the essential plugins (the core's own; they cannot be disabled)."""
    return tuple(m.rsplit(".", 1)[-1] for m in ESSENTIAL_MODULES)


__all__ = ["ENTRY_POINT_GROUP", "LoadedPlugin", "build_plugin_manager", "collect", "installed_plugins"]
