"""People, groups, memberships, site roles and sharing: who someone is and what they belong to.

The public API plugins use: the models, and the helpers below for names and sharing.
"""

from organet.people.models import (
    GROUP_KINDS,
    KINDS,
    MEMBER_ROLES,
    ROLES,
    Group,
    Membership,
    RolePermission,
    Share,
    User,
    full_name,
    sort_key,
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

__all__ = ["GROUP_KINDS", "KINDS", "MEMBER_ROLES", "PLUGIN", "ROLES", "Group", "Membership", "RolePermission",
           "Share", "User", "full_name", "sort_key"]
