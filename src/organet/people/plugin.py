"""The people plugin's hook implementations."""

from __future__ import annotations

from organet.hooks import hookimpl
from organet.people.models import Group, KnownPermission, Membership, RolePermission, Share, User


@hookimpl
def register_models() -> list[type]:
    return [User, Group, Membership, RolePermission, KnownPermission, Share]
