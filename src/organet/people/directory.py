"""Finding people: one prefix search over names, usernames and e-mail addresses, used by lists and the picker.

"berg" finds Anna van den Berg (surname), "van den b" finds her too (tussenvoegsel and surname),
as do "anna" (given name), "aberg" (username) and "anna.vanden" (e-mail). Each match is a
range scan on an indexed lower-case key column, so the search stays fast for 50,000 people.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from organet.people.models import User, name_key

MAX_QUERY = 100


def prefix_range(column: Any, prefix: str) -> sa.ColumnElement[bool]:
    """Return ``prefix <= column < next(prefix)``: a prefix match that uses a plain b-tree index."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return sa.and_(column >= prefix, column < upper)


def matches(query: str) -> sa.ColumnElement[bool] | None:
    """Return the condition for people matching ``query``, or ``None`` for an empty query."""
    prefix = name_key(query)[:MAX_QUERY]
    if not prefix:
        return None
    keys = (User.surname_key, User.full_surname_key, User.given_key, User.username_key, User.email_key)
    return sa.or_(*(prefix_range(key, prefix) for key in keys))


def people_query(query: str = "", *, include_inactive: bool = False, include_services: bool = False,
                 viewer: Any = None) -> sa.Select[Any]:
    """Return a select of people matching ``query``, sorted by surname then given name.

    Deactivated people and service accounts are left out unless asked for. An external
    ``viewer`` sees only the people in their own groups.
    """
    statement = sa.select(User).where(User.erased_at.is_(None))
    condition = matches(query)
    if condition is not None:
        statement = statement.where(condition)
    if not include_inactive:
        statement = statement.where(User.active.is_(True))
    if not include_services:
        statement = statement.where(User.kind != "service")
    if viewer is not None and getattr(viewer, "is_external", False):
        from organet.people.models import Membership

        statement = statement.where(User.id.in_(
            sa.select(Membership.user_id).where(Membership.group_id.in_(sorted(viewer.group_ids)))))
    if condition is not None:
        # Sorting on an expression keeps the planner on the five prefix indexes (then a small sort);
        # with the bare column SQLite may walk the whole sort index instead, slow for rare prefixes.
        return statement.order_by(User.active.desc(), User.sort_name.concat(""), User.id)
    if include_inactive:
        return statement.order_by(User.active.desc(), User.sort_name, User.id)
    # (active, sort_name) is indexed: the plain list is read in index order, no sort.
    return statement.order_by(User.sort_name, User.id)


def picker_item(user: User) -> dict[str, Any]:
    """What the person picker shows for someone: username (the value), name and first department."""
    departments = [m.group.name for m in user.memberships if m.group.kind == "department"]
    return {"username": user.username, "name": user.name, "department": departments[0] if departments else ""}
