"""People, groups, memberships, site roles and sharing: who someone is, what they belong to, what they see.

The public API plugins use:

- the models :class:`User`, :class:`Group`, :class:`Membership`, :class:`Share`;
- object-level checks: :func:`is_owner`, :func:`in_group`, :func:`is_manager_of`, :func:`shared_with`,
  :func:`share`, and :func:`visible_clause` for list queries that filter in SQL;
- :func:`visible_plugins` / :func:`plugin_visible`: which plugins exist for a person (pilots, externals);
- :class:`ProfileSection` for the ``person_profile_sections`` hook, :class:`ImportColumn` for
  ``register_import_columns``;
- :func:`csv_safe` (the same as ``organet.exports.csv_safe``) for CSV exports;
- the person picker: ``{% from "people/picker.html" import person_picker %}`` in templates,
  ``GET /api/people/v1/picker?q=`` for scripts. See docs/people-and-permissions.md.
"""

from organet.exports import csv_safe
from organet.people.declarations import ImportColumn, ProfileSection
from organet.people.models import (
    GROUP_KINDS,
    KINDS,
    MEMBER_ROLES,
    NAME_COLUMNS,
    ROLES,
    Group,
    Membership,
    RolePermission,
    Share,
    User,
    full_name,
    shown_name,
    sort_key,
)
from organet.people.permissions import (
    WHOLE,
    in_group,
    is_manager_of,
    is_owner,
    managed_group_ids,
    plugin_visible,
    share,
    shared_groups,
    shared_with,
    visible_clause,
    visible_plugins,
)
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="people",
    title="People and groups",
    description="People, departments, locations, teams, roles, permissions and sharing.",
    version=__version__,
    essential=True,
)

__all__ = ["GROUP_KINDS", "KINDS", "MEMBER_ROLES", "NAME_COLUMNS", "PLUGIN", "ROLES", "WHOLE", "Group",
           "ImportColumn", "Membership", "ProfileSection", "RolePermission", "Share", "User", "csv_safe",
           "full_name", "in_group", "is_manager_of", "is_owner", "managed_group_ids", "plugin_visible", "share",
           "shared_groups", "shared_with", "shown_name", "sort_key", "visible_clause", "visible_plugins"]
