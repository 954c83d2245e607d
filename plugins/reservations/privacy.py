"""A person's data in reservations: what an export contains, and what erasure removes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Booking, Token


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
