"""Fixtures of the reservations tests: a location with a room, dates that are always ahead, a booking form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from organet_plugins.reservations.models import Resource

from organet.people import Group
from organet.testing import db_session

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def next_weekday(days_ahead: int = 1) -> dt.date:
    """A Monday-to-Friday date at least ``days_ahead`` days from now."""
    day = dt.datetime.now(AMSTERDAM).date() + dt.timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    return day


def make_room(app, name="Overlegkamer 1", location="Delft", **fields) -> int:
    """Add a location group (if new) and a room there; return the room's id."""
    with db_session(app) as session:
        slug = f"loc-{location.lower()}"
        place = session.query(Group).filter_by(slug=slug).one_or_none()
        if place is None:
            place = Group(slug=slug, name=location, kind="location")
            session.add(place)
            session.flush()
        values = {"kind": "room", "capacity": 6, "facilities": ["screen"], "opens_minute": 8 * 60,
                  "closes_minute": 18 * 60, "open_days": "12345", "max_minutes": 240, "horizon_days": 90, **fields}
        room = Resource(location_id=place.id, name=name, **values)
        session.add(room)
        session.flush()
        return room.id


def booking_form(room_id: int, day: dt.date, start: str = "10:00", end: str = "11:00", **extra) -> dict:
    return {"resource": str(room_id), "day": day.isoformat(), "start": start, "end": end,
            "title": extra.pop("title", "Teamoverleg"), **extra}


@pytest.fixture(name="make_room")
def make_room_fixture():
    """Factory: ``make_room(app, "Overlegkamer 1", location="Delft", capacity=6, ...)`` → the room's id."""
    return make_room


@pytest.fixture(name="next_weekday")
def next_weekday_fixture():
    """``next_weekday(days_ahead=1)`` → a Monday-to-Friday date at least that far ahead."""
    return next_weekday


@pytest.fixture(name="booking_form")
def booking_form_fixture():
    """``booking_form(room_id, day, "10:00", "11:00", title=..., repeat=...)`` → the form's fields."""
    return booking_form
