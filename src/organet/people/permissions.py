"""Object-level checks: ownership, group membership, management, sharing, and the plugins a person sees.

Route permissions (``Page(permission=...)``) decide who may open a page; these helpers decide
which objects that person may see on it. List queries filter in SQL with
:func:`visible_clause`, so that a page of fifty results is fifty visible results.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.people.models import Group, Share

if TYPE_CHECKING:
    from organet.site import Site

WHOLE = ""
"""``kind`` and ``object_id`` of a share that covers a whole plugin (or a whole kind of objects)."""


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "active", True))


def is_owner(user: Any, thing: Any) -> bool:
    """True when ``user`` owns ``thing``: an object with ``owner_id`` (or ``author_id``/``user_id``), or an id."""
    if not _signed_in(user) or thing is None:
        return False
    owner_id = thing
    if not isinstance(thing, int):
        for attribute in ("owner_id", "author_id", "user_id"):
            if hasattr(thing, attribute):
                owner_id = getattr(thing, attribute)
                break
        else:
            return False
    return owner_id is not None and owner_id == user.id


def in_group(user: Any, group_id: int) -> bool:
    """True when ``user`` is a member (or manager) of the group ``group_id``."""
    return _signed_in(user) and group_id in user.group_ids


def managed_group_ids(user: Any) -> frozenset[int]:
    """The ids of the groups ``user`` manages (directly; see :func:`is_manager_of` for the tree)."""
    if not _signed_in(user):
        return frozenset()
    return frozenset(m.group_id for m in user.memberships if m.role == "manager")


def is_manager_of(user: Any, other: Any) -> bool:
    """True when ``user`` manages a group ``other`` belongs to, or a department above it in the tree."""
    managed = managed_group_ids(user)
    if not managed or other is None or getattr(other, "id", None) == user.id:
        return False
    for membership in other.memberships:
        group: Group | None = membership.group
        seen: set[int] = set()
        while group is not None and group.id not in seen:
            if group.id in managed:
                return True
            seen.add(group.id)
            group = group.parent
    return False


def share(session: Session, plugin: str, kind: str, object_id: str | int, group_ids: Iterable[int]) -> None:
    """Share an object (or, with ``kind=object_id=""``, a whole plugin) with exactly ``group_ids``.

    Replaces the object's earlier shares: pass an empty list to share it with nobody. Sharing a
    whole plugin changes who may open its pages, so every worker is told (a run-time bump).
    """
    from organet.runtime import bump

    object_key = str(object_id)
    wanted = {int(g) for g in group_ids}
    where = (Share.plugin == plugin, Share.kind == kind, Share.object_id == object_key)
    current = set(session.scalars(sa.select(Share.group_id).where(*where)))
    if current == wanted:
        return
    session.execute(sa.delete(Share).where(*where, Share.group_id.not_in(wanted) if wanted else sa.true()))
    for group_id in sorted(wanted - current):
        session.add(Share(plugin=plugin, kind=kind, object_id=object_key, group_id=group_id))
    session.flush()
    bump(session)


def shared_groups(session: Session, plugin: str, kind: str, object_id: str | int) -> list[int]:
    """The ids of the groups an object is shared with (directly, not through a whole-plugin share)."""
    return list(session.scalars(sa.select(Share.group_id).where(
        Share.plugin == plugin, Share.kind == kind, Share.object_id == str(object_id)).order_by(Share.group_id)))


def _share_exists(plugin: str, kind: str, object_id: Any, group_ids: frozenset[int],
                  *, whole_plugin: bool) -> sa.ColumnElement[bool]:
    targets = [sa.and_(Share.kind == kind, Share.object_id == object_id)]
    if whole_plugin:
        targets.append(sa.and_(Share.kind.in_([kind, WHOLE]), Share.object_id == WHOLE))
    return sa.exists().where(Share.plugin == plugin, Share.group_id.in_(sorted(group_ids)), sa.or_(*targets))


def shared_with(session: Session, user: Any, plugin: str, kind: str, object_id: str | int) -> bool:
    """True when the object (or its whole plugin or kind) is shared with one of ``user``'s groups.

    For externals this is the whole answer to "may they see it"; for employees, objects that
    are public to employees are visible besides (use :func:`visible_clause` in list queries).
    A mention or a notification never shares anything: only this table does.
    """
    if not _signed_in(user) or not user.group_ids:
        return False
    clause = _share_exists(plugin, kind, str(object_id), user.group_ids, whole_plugin=True)
    return bool(session.scalar(sa.select(clause)))


def visible_clause(user: Any, plugin: str, kind: str, id_column: Any, *,
                   public: sa.ColumnElement[bool] | bool = True,
                   owner_column: Any = None) -> sa.ColumnElement[bool]:
    """Return a SQL condition: the rows of ``kind`` that ``user`` may see. Use it in ``where()``.

    - anonymous or deactivated: nothing;
    - employees (and service accounts): rows matching ``public`` (what is open to every
      employee; all rows by default), rows shared with one of their groups, their own rows;
    - externals: rows shared with one of their groups, their own rows, and rows matching
      ``public`` only when the whole plugin is shared with one of their groups.

    ``id_column`` is the object's id column (compared as text with ``people_shares.object_id``);
    ``owner_column`` the column holding the owner's person id, when there is one. Example::

        rows = session.scalars(sa.select(Post).where(
            visible_clause(user, "bulletin", "post", Post.id, public=Post.audience == "everyone",
                           owner_column=Post.author_id)))
    """
    if not _signed_in(user):
        return sa.false()
    public_clause = sa.true() if public is True else (sa.false() if public is False else public)
    groups = user.group_ids
    options: list[sa.ColumnElement[bool]] = []
    if owner_column is not None:
        options.append(owner_column == user.id)
    if groups:
        options.append(_share_exists(plugin, kind, sa.cast(id_column, sa.String), groups, whole_plugin=False))
    if getattr(user, "is_external", False):
        if groups:
            whole = sa.exists().where(Share.plugin == plugin, Share.group_id.in_(sorted(groups)),
                                      Share.kind.in_([kind, WHOLE]), Share.object_id == WHOLE)
            options.append(sa.and_(whole, public_clause))
    else:
        options.append(public_clause)
    return sa.or_(*options) if options else sa.false()


def plugin_visible(site: Site, plugin: str, user: Any) -> bool:
    """True when ``plugin`` exists for ``user``: enabled, in its pilot audience, shared (for externals)."""
    from organet.runtime import in_audience

    loaded = site.plugins.get(plugin)
    if loaded is None:
        return False
    return loaded.info.essential or in_audience(site, plugin, user)


def visible_plugins(site: Site, user: Any) -> set[str]:
    """The names of the plugins whose pages, widgets, API and search results exist for ``user``."""
    return {name for name in site.plugins if plugin_visible(site, name, user)}
