"""A person's data in reservations: what an export contains, and what erasure removes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Booking, Resource, Token
from .queries import resource_visible


def visible(session: Session, person: Any, kind: str, object_id: str) -> bool:
    """Whether ``person`` may see a resource (its photo, its search result) or a booking (its notification)."""
    if not object_id.isdecimal():
        return False
    if kind == "resource":
        resource = session.get(Resource, int(object_id))
    elif kind == "booking":
        booking = session.get(Booking, int(object_id))
        resource = booking.resource if booking is not None else None
    else:
        return False
    return resource is not None and resource_visible(session, person, resource)


def export(session: Session, person: Any) -> dict[str, Any]:
    """Every booking the person made or that was made for them."""
    rows = session.scalars(sa.select(Booking).where(
        sa.or_(Booking.booker_id == person.id, Booking.booked_for_id == person.id)).order_by(Booking.starts_at))
    bookings = [{"resource": b.resource.name, "title": b.title, "description": b.description,
                 "starts_at": b.starts_at.isoformat(), "ends_at": b.ends_at.isoformat(), "status": b.status,
                 "made_by_me": b.booker_id == person.id} for b in rows]
    return {"bookings": bookings} if bookings else {}


def erase(session: Session, person: Any) -> None:
    """Delete the person's bookings (the slots become free) and their feed token.

    Their id may stay in other bookings' attendee lists, where it shows as nobody; only counts remain.
    """
    session.execute(sa.delete(Booking).where(
        sa.or_(Booking.booker_id == person.id, Booking.booked_for_id == person.id)))
    session.execute(sa.delete(Token).where(Token.user_id == person.id))
