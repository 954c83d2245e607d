"""Run-time state shared by every worker through the database: settings, audiences, role permissions.

Each worker keeps a copy and checks one counter row at most every :data:`REFRESH_SECONDS`;
an admin's change bumps the counter in the same transaction, so every worker sees it within
seconds, without Redis and without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.core.models import Audience, Revision, StoredSetting
from organet.people.models import KnownPermission, RolePermission, Share

if TYPE_CHECKING:
    from organet.site import Site

REFRESH_SECONDS = 2.0

T = TypeVar("T")


def bump(session: Session) -> None:
    """Tell every worker that run-time state changed. Call inside the transaction of the change."""
    updated = session.execute(sa.update(Revision).where(Revision.id == 1).values(counter=Revision.counter + 1))
    if getattr(updated, "rowcount", 1) == 0:
        session.add(Revision(id=1, counter=1))


class RuntimeState:
    """This worker's copy of the run-time state; :meth:`refresh` keeps it current."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._counter: int | None = None
        self._settings: dict[tuple[str, str], Any] = {}
        self._audiences: dict[str, frozenset[int]] = {}
        self._role_permissions: dict[str, frozenset[str]] = {}
        self._shared: dict[str, frozenset[int]] = {}
        self._configuration: dict[str, tuple[int | None, Any]] = {}

    def refresh(self, session: Session, force: bool = False) -> None:
        """Reload from the database when another worker (or this one) changed something."""
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_SECONDS:
            return
        with self._lock:
            counter = session.scalar(sa.select(Revision.counter).where(Revision.id == 1)) or 0
            self._checked_at = now
            if counter == self._counter and not force:
                return
            self._settings = {(s.plugin, s.key): s.value for s in session.scalars(sa.select(StoredSetting))}
            audiences: dict[str, set[int]] = {}
            for plugin, group_id in session.execute(sa.select(Audience.plugin, Audience.group_id)):
                audiences.setdefault(plugin, set()).add(group_id)
            self._audiences = {plugin: frozenset(ids) for plugin, ids in audiences.items()}
            roles: dict[str, set[str]] = {}
            for role, permission in session.execute(sa.select(RolePermission.role, RolePermission.permission)):
                roles.setdefault(role, set()).add(permission)
            self._role_permissions = {role: frozenset(names) for role, names in roles.items()}
            shared: dict[str, set[int]] = {}
            for plugin, group_id in session.execute(sa.select(Share.plugin, Share.group_id).distinct()):
                shared.setdefault(plugin, set()).add(group_id)
            self._shared = {plugin: frozenset(ids) for plugin, ids in shared.items()}
            self._counter = counter

    def setting(self, plugin: str, key: str) -> Any:
        """Return the stored run-time value of a setting, or ``None`` when the config's applies."""
        return self._settings.get((plugin, key))

    def audience(self, plugin: str) -> frozenset[int] | None:
        """Return the group ids of a plugin's pilot audience, or ``None`` when it is for everyone."""
        return self._audiences.get(plugin)

    def shared_groups(self, plugin: str) -> frozenset[int]:
        """Return the ids of the groups that anything of ``plugin`` (or the whole plugin) is shared with."""
        return self._shared.get(plugin, frozenset())

    def role_permissions(self, role: str) -> frozenset[str]:
        """Return the permissions a site role holds."""
        return self._role_permissions.get(role, frozenset())

    def configuration(self, session: Session, name: str, load: Callable[[Session], T]) -> T:
        """Return ``load(session)``, loaded again only after the run-time counter moved (see :func:`bump`).

        What is loaded is kept under the counter as ``session`` sees it, read before loading: a
        value loaded while a change was not yet committed can never pass for the changed one.
        """
        kept = self._configuration.get(name)
        if kept is not None and kept[0] == self._counter:
            return kept[1]  # type: ignore[no-any-return]
        counter = session.scalar(sa.select(Revision.counter).where(Revision.id == 1)) or 0
        value = load(session)
        self._configuration[name] = (counter, value)
        return value

    def refresh_soon(self) -> None:
        """Make the next request of this worker look at the counter (after a change it is committing)."""
        self._checked_at = 0.0


def in_audience(site: Site, plugin: str, user: Any) -> bool:
    """True when ``plugin`` is for everyone, or ``user`` belongs to one of its pilot groups.

    Admins always see every enabled plugin, so that they can set a pilot up. External people
    (partners, volunteers, clients) see a plugin only when something of it is shared with one
    of their groups (see ``organet.people.share``); a pilot audience applies to them too.
    """
    runtime = site.state["runtime"]
    if getattr(user, "is_external", False) and not runtime.shared_groups(plugin) & user.group_ids:
        return False
    audience = runtime.audience(plugin)
    if audience is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "role", "") == "admin":
        return True
    return bool(audience & user.group_ids)


def seed_permissions(site: Site, session: Session) -> None:
    """Give each newly declared permission to its default roles, once; later changes are the admin's."""
    known = set(session.scalars(sa.select(KnownPermission.name)))
    new = [(name, permission) for name, (_plugin, permission) in site.permissions.items() if name not in known]
    for name, permission in new:
        session.add(KnownPermission(name=name))
        for role in permission.default_roles:
            session.merge(RolePermission(role=role, permission=name))
    if new:
        bump(session)
