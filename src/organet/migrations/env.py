"""The one Alembic environment shared by the core and every plugin.

organet.schema runs it once per plugin with that plugin's revisions, its own version table
(``alembic_version_<plugin>``) and, for autogenerate, only that plugin's tables.
"""

from __future__ import annotations

from alembic import context

config = context.config
plugin = config.attributes["plugin"]
connection = config.attributes["connection"]
target_metadata = config.attributes.get("target_metadata")


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Let autogenerate see only this plugin's tables, never another plugin's.

    Full-text tables named ``<plugin>_fts`` (and SQLite's FTS5 shadow tables ``<plugin>_fts_*``)
    have no model: a migration creates them by hand, so autogenerate must not drop them.
    """
    if type_ == "table":
        if reflected and compare_to is None and (name == f"{plugin}_fts" or str(name).startswith(f"{plugin}_fts_")):
            return False
        return bool(name == plugin or str(name).startswith(plugin + "_"))
    table = getattr(obj, "table", None)
    if table is not None:
        return bool(table.name == plugin or table.name.startswith(plugin + "_"))
    return True


context.configure(
    connection=connection,
    target_metadata=target_metadata,
    version_table=f"alembic_version_{plugin}",
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
