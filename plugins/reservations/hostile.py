"""The plugin's forms, declared for the core's hostile-input test (every field, every hostile value, no 500)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from organet import FormSpec


def _room(app: Any, user: Any) -> dict[str, Any]:
    """A location with a room, and a booking by ``user`` in it, for the forms to work on."""
    from organet.people import Group
    from organet.testing import db_session

    from .models import Booking, Resource

    day = dt.date.today() + dt.timedelta(days=2)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    with db_session(app) as session:
        place = Group(slug="hostile-location", name="Hostile", kind="location")
        session.add(place)
        session.flush()
        room = Resource(location_id=place.id, name="Hostile room", opens_minute=8 * 60, closes_minute=18 * 60)
        session.add(room)
        session.flush()
        starts = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
        booking = Booking(resource_id=room.id, title="x", booker_id=user.id, starts_at=starts,
                          ends_at=starts + dt.timedelta(hours=1))
        session.add(booking)
        session.flush()
        return {"path": {"booking_id": booking.id},
                "data": {"resource": str(room.id), "day": day.isoformat(), "start": "10:00", "end": "11:00",
                         "title": "Overleg", "location": "hostile-location", "name": "Kamer"}}


def forms() -> list[FormSpec]:
    room_fields = ("name", "location", "kind", "capacity", "facilities", "opens", "closes", "days", "access",
                   "groups", "approvers", "max_minutes", "horizon_days", "description", "shared_with")
    return [
        FormSpec("reservations:book", ("title", "description", "attendees", "booked_for", "day", "start", "end",
                                       "repeat", "every_weeks", "until", "resource"),
                 prepare=lambda app, user: {"data": _room(app, user)["data"]}, role="member",
                 shown_at=("/reservations/", "/reservations/mine")),
        FormSpec("reservations:edit", ("title", "description", "day", "start", "end", "scope"), prepare=_room,
                 role="member", shown_at=("/reservations/bookings/{booking_id}",)),
        FormSpec("reservations:admin_new", room_fields, prepare=lambda app, user: {"data": _room(app, user)["data"]},
                 shown_at=("/reservations/admin/",)),
        FormSpec("reservations:admin_import", ("csv",), shown_at=("/reservations/admin/",)),
    ]
