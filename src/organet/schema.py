"""Schema migrations: Alembic with one shared env.py and a version table per plugin.

Each plugin (the core's own included) ships its revisions in ``migrations/versions/`` and
keeps its own version table, so enabling a plugin later adds its tables and touches no
others, and uninstalling one never breaks the next upgrade.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from organet.db import Model

if TYPE_CHECKING:
    from organet.plugins import LoadedPlugin
    from organet.site import Site

ENV_FOLDER = Path(__file__).parent / "migrations"


def version_table(plugin: str) -> str:
    """Return the name of the Alembic version table that tracks ``plugin``'s schema."""
    return f"alembic_version_{plugin}"


def _alembic_config(plugin: LoadedPlugin, connection: sa.Connection | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ENV_FOLDER))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(plugin.migrations))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.attributes["plugin"] = plugin.name
    cfg.attributes["connection"] = connection
    cfg.attributes["target_metadata"] = Model.metadata
    return cfg


def _migrating_plugins(site: Site) -> list[LoadedPlugin]:
    return [p for p in site.plugins.values() if p.migrations.is_dir()]


def heads(plugin: LoadedPlugin) -> set[str]:
    """Return the newest revision(s) the plugin ships."""
    return set(ScriptDirectory.from_config(_alembic_config(plugin)).get_heads())


def current(site: Site) -> dict[str, set[str]]:
    """Return, per plugin with migrations, the revision(s) the database is at (empty: none applied)."""
    result: dict[str, set[str]] = {}
    with site.db.engine.connect() as connection:
        for plugin in _migrating_plugins(site):
            context = MigrationContext.configure(connection, opts={"version_table": version_table(plugin.name)})
            result[plugin.name] = set(context.get_current_heads())
    return result


def pending(site: Site) -> dict[str, list[str]]:
    """Return, per plugin, the revisions not yet applied, oldest first ("message (revision)")."""
    at = current(site)
    result: dict[str, list[str]] = {}
    for plugin in _migrating_plugins(site):
        script = ScriptDirectory.from_config(_alembic_config(plugin))
        applied: set[str] = set()
        for head in at.get(plugin.name, set()):
            applied.update(rev.revision for rev in script.iterate_revisions(head, "base"))
        missing = [rev for rev in script.walk_revisions() if rev.revision not in applied]
        result[plugin.name] = [f"{rev.doc} ({rev.revision})" for rev in reversed(missing)]
    return result


def upgrade(site: Site, progress: Callable[[str], Any] | None = None) -> list[str]:
    """Bring every enabled plugin's tables up to date; return the names of plugins that changed.

    The core's plugins go first; each plugin's revisions run in their own transaction.
    """
    changed = []
    todo = pending(site)
    for plugin in _migrating_plugins(site):
        if progress:
            progress(plugin.name)
        if not todo.get(plugin.name):
            continue
        with site.db.engine.begin() as connection:
            command.upgrade(_alembic_config(plugin, connection), "heads")
        changed.append(plugin.name)
    return changed


def downgrade(site: Site, plugin_name: str, revision: str = "base") -> None:
    """Undo a plugin's migrations down to ``revision`` (``base`` drops all of its tables)."""
    plugin = site.plugins[plugin_name]
    with site.db.engine.begin() as connection:
        command.downgrade(_alembic_config(plugin, connection), revision)


def make_revision(site: Site, plugin_name: str, message: str, autogenerate: bool = True) -> Path:
    """Write a new revision for ``plugin_name`` comparing its models to the database; return its path."""
    plugin = site.plugins[plugin_name]
    plugin.migrations.mkdir(parents=True, exist_ok=True)
    script = ScriptDirectory.from_config(_alembic_config(plugin))
    head = script.get_current_head()
    with site.db.engine.begin() as connection:
        cfg = _alembic_config(plugin, connection)
        revision = command.revision(cfg, message=message, autogenerate=autogenerate,
                                    head=head or "base")
    assert revision is not None and not isinstance(revision, list)  # one head in, one script out
    return Path(revision.path)
