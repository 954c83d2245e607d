"""Hooks the people plugin defines for other plugins: extra columns in the HR import."""

from __future__ import annotations

from organet.hooks import hookspec
from organet.people.declarations import ImportColumn


@hookspec
def register_import_columns() -> list[ImportColumn]:
    """Claim extra columns of the HR import. Called when an import starts (CLI or admin page).

    Return :class:`organet.people.ImportColumn` objects. The site maps each ``name`` to a column
    header of the HR export in ``[plugins.people] import_columns`` (for example
    ``import_columns = ["phone=Telefoon"]``); a column the site does not map is ignored.
    ``apply`` is called for every row with a value, inside the import's transaction.

    Example::

        @hookimpl
        def register_import_columns():
            return [ImportColumn("phone", "Work phone number", set_phone)]

    .. versionadded:: 0.1
    """
