"""Sample phonebook data for ``organet demo``: phones, rooms, expertise, working patterns and absences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from organet_plugins.phonebook.models import ABSENCE_KINDS, DAY_PARTS, Absence, Expertise, Profile
from sqlalchemy.orm import Session

from organet.db import utcnow

JOB_TITLES = ["Verpleegkundige", "Wijkverpleegkundige", "Verzorgende IG", "Teamleider", "Psycholoog",
              "Fysiotherapeut", "Secretaresse", "Functioneel beheerder", "Beleidsmedewerker", "Arts"]
TOPICS = ["Wondzorg", "Diabetes", "Dementie", "Palliatieve zorg", "ECD", "Agressiehantering", "Medicatie",
          "EHBO", "Privacy", "Roosterplanning", "Decubitus", "Valpreventie"]
LANGUAGES = ["Nederlands", "Engels", "Duits", "Turks", "Arabisch", "Pools", "Papiaments"]


def load(session: Session, people: list[Any], rng: Any) -> None:
    """Give each demo person a profile; some a part-time pattern, a few an absence around today."""
    today = utcnow().date()
    for index, person in enumerate(people):
        pattern: list[str] = []
        if rng.random() < 0.4:  # part-timers: three or four days, sometimes only mornings
            days = sorted(rng.sample(range(5), rng.choice([3, 4])))
            pattern = [f"{d}-{p}" for d in days for p in DAY_PARTS if p == "morning" or rng.random() < 0.8]
        session.add(Profile(
            person_id=person.id, job_title=rng.choice(JOB_TITLES),
            work_phone=f"030 {rng.randint(200, 899)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            mobile=f"06 {rng.randint(10000000, 99999999)}", extension=str(2000 + index),
            room=f"{rng.choice('ABC')}{rng.randint(0, 3)}.{rng.randint(1, 40):02d}",
            languages=["Nederlands", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))],
            about="", pattern=pattern, imported_fields=[]))
        for label in rng.sample(TOPICS, rng.randint(1, 3)):
            session.add(Expertise(person_id=person.id, tag=label.lower(), label=label))
        if rng.random() < 0.15:
            start = today + dt.timedelta(days=rng.randint(-3, 10))
            session.add(Absence(person_id=person.id, starts_on=start,
                                ends_on=start + dt.timedelta(days=rng.randint(0, 7)),
                                kind=rng.choice(ABSENCE_KINDS), source="import"))
    session.flush()
