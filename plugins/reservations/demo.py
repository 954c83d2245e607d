"""Demo data: rooms, a beamer, a pool car and a bike at each location, and a few bookings this week."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.people import Group

from .models import Booking, Resource

ROOMS = [
    ("Vergaderzaal Noord", "room", 12, ["screen", "video-call", "whiteboard", "wheelchair-access"]),
    ("Overlegkamer 1", "room", 6, ["screen", "whiteboard"]),
    ("Overlegkamer 2", "room", 4, ["phone"]),
    ("Spreekkamer A", "consultation-room", 3, ["sink", "wheelchair-access"]),
    ("Beamer", "equipment", 1, []),
    ("Dienstauto", "vehicle", 4, []),
    ("Fiets", "bike", 1, []),
]
TITLES = ["Teamoverleg", "MDO", "Intervisie", "Werkoverleg", "Scholing", "Cliëntbespreking", "Sollicitatiegesprek"]


def load(session: Session, people: list[Any], rng: Any) -> None:
    """Add resources to every location (two locations are made when there are none) and book some of them."""
    places = list(session.scalars(sa.select(Group).where(Group.kind == "location").order_by(Group.name)))
    if not places:
        places = [Group(slug="locatie-delft", name="Delft", kind="location"),
                  Group(slug="locatie-leiden", name="Leiden", kind="location")]
        session.add_all(places)
        session.flush()
    resources = []
    for place in places[:6]:
        for name, kind, capacity, facilities in ROOMS:
            vehicle = kind in ("vehicle", "bike")
            resources.append(Resource(
                location_id=place.id, name=name, kind=kind, capacity=capacity, facilities=facilities,
                opens_minute=None if vehicle else 8 * 60, closes_minute=None if vehicle else 18 * 60,
                open_days="1234567" if vehicle else "12345", max_minutes=8 * 60 if vehicle else 240,
                access="approval" if kind == "vehicle" and people else "everyone",
                approver_ids=[people[0].id] if kind == "vehicle" and people else []))
    session.add_all(resources)
    session.flush()
    if not people:
        return
    zone = ZoneInfo("Europe/Amsterdam")
    today = utcnow().astimezone(zone).date()
    rooms = [r for r in resources if r.kind == "room"]
    for offset in range(0, 10):
        day = today + dt.timedelta(days=offset)
        if day.isoweekday() > 5:
            continue
        for room in rooms:
            for hour in (9, 11, 14):
                if rng.random() < 0.45:
                    starts = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
                    person = rng.choice(people)
                    ends = starts + dt.timedelta(minutes=rng.choice((60, 90)))
                    session.add(Booking(resource_id=room.id, starts_at=starts.astimezone(dt.UTC),
                                        ends_at=ends.astimezone(dt.UTC),
                                        title=rng.choice(TITLES), booker_id=person.id))
    session.flush()
