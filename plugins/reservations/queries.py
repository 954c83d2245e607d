"""Reading bookings and resources for pages, feeds and the API: one query per list, never one per row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, lazyload

from organet.people import Group, User

from .booking import is_shared_with, visible_filter
from .models import HOLDING, LONGEST_BOOKING, Booking, Resource


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end of a local day (23 or 25 hours long on the days the clocks change)."""
    low = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    high = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return low, high


def locations(session: Session) -> list[Group]:
    """Every location group, by name."""
    return list(session.scalars(sa.select(Group).where(Group.kind == "location").order_by(Group.name)))


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
    statement = sa.select(Resource.id, Resource.name, Resource.capacity, Resource.max_minutes).where(
        Resource.location_id == location_id, Resource.active.is_(True)).order_by(Resource.name)
    clause = visible_filter(person)
    if clause is not None:
        statement = statement.where(clause)
    return list(session.execute(statement))


def resource_visible(session: Session, person: Any, resource: Resource | None) -> bool:
    """True when ``person`` may see ``resource`` at all."""
    if resource is None:
        return False
    return not getattr(person, "is_external", False) or is_shared_with(session, person, resource)


_BOOKER = aliased(User, name="booker")
_BOOKED_FOR = aliased(User, name="booked_for")
"""Made once: an alias builds a proxy of every column of the people table, too dear per request."""


@dataclass
class Entry:
    """A booking as the grid, kiosk and feeds show it: no ORM object, just what is displayed."""

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
    extra: dict[str, Any] = field(default_factory=dict)


def entries(session: Session, low: dt.datetime, high: dt.datetime, *, resource_ids: list[int] | None = None,
            person_id: int | None = None, statuses: tuple[str, ...] = (HOLDING,), limit: int = 5000,
            longest: dt.timedelta = LONGEST_BOOKING, details: bool = True) -> list[Entry]:
    """Bookings overlapping [low, high) of some resources, or of one person (booker or booked for), by start.

    ``longest`` bounds how long before ``low`` an overlapping booking can start (the index on
    ``(resource_id, starts_at)`` then reads only that stretch); the day grid passes the longest
    booking its resources allow. ``details=False`` leaves out the description, resource and
    location names (the grid knows its resources).
    """
    booker, booked_for = _BOOKER, _BOOKED_FOR
    columns: list[Any] = [Booking.id, Booking.resource_id, Booking.starts_at, Booking.ends_at, Booking.title,
                          sa.func.coalesce(booked_for.display_name, booker.display_name, "?"), Booking.status]
    if details:
        columns += [Booking.description, Resource.name, Group.name, Booking.created_at]
    statement = sa.select(*columns)
    if details:
        statement = statement.join(Resource, Resource.id == Booking.resource_id) \
            .outerjoin(Group, Group.id == Resource.location_id)
    statement = (
        statement
        .outerjoin(booker, booker.id == Booking.booker_id)
        .outerjoin(booked_for, booked_for.id == Booking.booked_for_id)
        .where(Booking.status.in_(statuses), Booking.starts_at < high, Booking.ends_at > low)
        .order_by(Booking.starts_at, Booking.id).limit(limit)
    )
    if resource_ids is not None:
        if not resource_ids:
            return []
        statement = statement.where(Booking.resource_id.in_(resource_ids),
                                    Booking.starts_at > low - min(longest, LONGEST_BOOKING))
    if person_id is not None:
        statement = statement.where(sa.or_(Booking.booker_id == person_id, Booking.booked_for_id == person_id))
    return [Entry(*row) for row in session.execute(statement)]


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
