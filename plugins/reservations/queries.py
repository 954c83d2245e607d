"""Reading bookings and resources for pages, feeds and the API: one query per list, never one per row."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

from organet.db import rows
from organet.people import Group, User

from .booking import is_shared_with, visible_filter
from .models import HOLDING, LONGEST_BOOKING, Booking, Resource


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end of a local day (23 or 25 hours long on the days the clocks change)."""
    low = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    high = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return low, high


# Built once: the day grid runs these on every request, and putting a statement together costs
# more than running it.
_LOCATIONS = sa.select(Group).where(Group.kind == "location").order_by(Group.name)
_GRID_ROOMS = sa.select(Resource.id, Resource.name, Resource.capacity, Resource.max_minutes).where(
    Resource.location_id == sa.bindparam("location_id"), Resource.active.is_(True)).order_by(Resource.name)


def locations(session: Session) -> list[Group]:
    """Every location group, by name."""
    return list(session.scalars(_LOCATIONS))


def visible_resources(session: Session, person: Any, *, location_id: int | None = None,
                      active_only: bool = True) -> list[Resource]:
    """The resources ``person`` may see (externals: only those shared with them), by name."""
    statement = sa.select(Resource).options(lazyload(Resource.location)).order_by(Resource.name)
    if location_id is not None:
        statement = statement.where(Resource.location_id == location_id)
    if active_only:
        statement = statement.where(Resource.active.is_(True))
    clause = visible_filter(person)
    if clause is not None:
        statement = statement.where(clause)
    return list(session.scalars(statement))


def grid_rooms(session: Session, person: Any, location_id: int) -> list[Any]:
    """The active resources of a location as light rows (id, name, capacity, max_minutes), by name."""
    statement = _GRID_ROOMS
    clause = visible_filter(person)
    if clause is not None:
        statement = statement.where(clause)
    return rows(session, statement, {"location_id": location_id})


def resource_visible(session: Session, person: Any, resource: Resource | None) -> bool:
    """True when ``person`` may see ``resource`` at all."""
    if resource is None:
        return False
    return not getattr(person, "is_external", False) or is_shared_with(session, person, resource)


_BOOKINGS, _RESOURCES, _GROUPS = Booking.__table__, Resource.__table__, Group.__table__
_BOOKER = User.__table__.alias("booker")
_BOOKED_FOR = User.__table__.alias("booked_for")
"""Made once: an alias builds a proxy of every column of the people table, too dear per request."""


class Entry(NamedTuple):
    """A booking as the grid, kiosk and feeds show it: no ORM object, just what is displayed.

    A named tuple: the grid makes a few hundred per request straight from database rows."""

    id: int
    resource_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    holder: str
    status: str = HOLDING
    description: str = ""
    resource_name: str = ""
    location: str = ""
    created_at: dt.datetime | None = None


@functools.cache
def _entries_query(*, details: bool, by_location: bool, by_resources: bool, by_person: bool) -> sa.Select[Any]:
    """The statement behind :func:`entries` for one combination of options, built once (putting a
    statement together costs more than running it). Parameters: ``statuses``, ``low``, ``high``,
    ``limit``, ``since``, ``location_id``, ``resource_ids`` and ``person_id``.
    """
    # Plain table columns (no ORM entities): the statement runs on the Core path, which costs a
    # fraction of the ORM's per-row work; the grid reads a few hundred rows per request.
    b, r, g, booker, booked_for = _BOOKINGS, _RESOURCES, _GROUPS, _BOOKER, _BOOKED_FOR
    columns: list[Any] = [b.c.id, b.c.resource_id, b.c.starts_at, b.c.ends_at, b.c.title,
                          sa.func.coalesce(booked_for.c.display_name, booker.c.display_name, "?").label("holder"),
                          b.c.status]
    source: Any = b
    if details:
        columns += [b.c.description, r.c.name, g.c.name, b.c.created_at]
        source = source.join(r, r.c.id == b.c.resource_id).outerjoin(g, g.c.id == r.c.location_id)
    elif by_location:
        source = source.join(r, r.c.id == b.c.resource_id)
    source = source.outerjoin(booker, booker.c.id == b.c.booker_id) \
        .outerjoin(booked_for, booked_for.c.id == b.c.booked_for_id)
    statement = (
        sa.select(*columns).select_from(source)
        .where(b.c.status.in_(sa.bindparam("statuses", expanding=True)), b.c.starts_at < sa.bindparam("high"),
               b.c.ends_at > sa.bindparam("low"))
        .order_by(b.c.starts_at, b.c.id).limit(sa.bindparam("limit"))
    )
    if by_location:
        statement = statement.where(r.c.location_id == sa.bindparam("location_id"), r.c.active.is_(True),
                                    b.c.starts_at > sa.bindparam("since"))
    elif by_resources:
        statement = statement.where(b.c.resource_id.in_(sa.bindparam("resource_ids", expanding=True)),
                                    b.c.starts_at > sa.bindparam("since"))
    if by_person:
        statement = statement.where(sa.or_(b.c.booker_id == sa.bindparam("person_id"),
                                           b.c.booked_for_id == sa.bindparam("person_id")))
    return statement


def entries(session: Session, low: dt.datetime, high: dt.datetime, *, resource_ids: list[int] | None = None,
            person_id: int | None = None, statuses: tuple[str, ...] = (HOLDING,), limit: int = 5000,
            longest: dt.timedelta = LONGEST_BOOKING, details: bool = True,
            location_id: int | None = None) -> list[Any]:
    """Bookings overlapping [low, high) of some resources, or of one person (booker or booked for), by start.

    ``longest`` bounds how long before ``low`` an overlapping booking can start (the index on
    ``(resource_id, starts_at)`` then reads only that stretch); the day grid passes the longest
    booking its resources allow. ``details=False`` leaves out the description, resource and
    location names (the grid knows its resources) and returns the database rows as they come
    (the :class:`Entry` fields up to ``status``): the grid reads hundreds per request.
    ``location_id`` selects the bookings of the location's active resources by a join (the grid
    of an employee, who sees them all) instead of a long ``IN`` list.
    """
    if resource_ids is not None and not resource_ids and location_id is None:
        return []
    statement = _entries_query(details=details, by_location=location_id is not None,
                               by_resources=location_id is None and resource_ids is not None,
                               by_person=person_id is not None)
    parameters = {"statuses": list(statuses), "low": low, "high": high, "limit": limit,
                  "since": low - min(longest, LONGEST_BOOKING), "location_id": location_id,
                  "resource_ids": list(resource_ids or ()), "person_id": person_id}
    found = rows(session, statement, parameters)
    return [Entry(*row) for row in found] if details else found


def free_resources(session: Session, person: Any, starts: dt.datetime, ends: dt.datetime, *,
                   location_id: int | None, people: int, facility: str) -> list[Resource]:
    """Active resources with room for ``people`` and ``facility`` (if any) that nobody holds in [starts, ends)."""
    candidates = [r for r in visible_resources(session, person, location_id=location_id)
                  if r.capacity >= people and (not facility or facility in r.facilities)]
    if not candidates:
        return []
    taken = set(session.scalars(sa.select(Booking.resource_id).where(
        Booking.resource_id.in_([r.id for r in candidates]), Booking.status == HOLDING,
        Booking.starts_at < ends, Booking.starts_at > starts - LONGEST_BOOKING, Booking.ends_at > starts)))
    return sorted((r for r in candidates if r.id not in taken), key=lambda r: (r.capacity, r.name))
