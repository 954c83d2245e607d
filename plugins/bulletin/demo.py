"""Sample notices for `organet demo`: a lively board in a Dutch care organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from organet.db import utcnow

from . import board
from .models import Category, Post

CATEGORIES = ["Te koop", "Gevraagd", "Gevonden", "Verloren", "Carpoolen", "Mededeling"]
LOCATIONS = ["Delft", "Leiden", "Den Haag", "Zoetermeer", "Rijswijk"]
NOTICES = [
    ("Te koop", "Kinderfiets 20 inch, blauw", "Nauwelijks gebruikt, met zijwieltjes. Ophalen in **Delft**.", 4500),
    ("Te koop", "Bureaustoel, verstelbaar", "Goede staat, zwart. Past niet meer in mijn thuiswerkplek.", 2500),
    ("Gevraagd", "Oppas op woensdagmiddag", "Voor twee kinderen (5 en 8), in de buurt van Leiden.", None),
    ("Gevraagd", "Who has a spare monitor cable?", "HDMI to DisplayPort, just for a week. Thanks!", None),
    ("Gevonden", "Sleutelbos bij de ingang van locatie Rijswijk", "Met een rode hanger. Af te halen bij de receptie.",
     None),
    ("Verloren", "Leesbril in etui", "Bruin etui, waarschijnlijk in de kantine laten liggen.", None),
    ("Carpoolen", "Meerijden Den Haag – Zoetermeer", "Ik rijd elke dinsdag en donderdag om 7:30. Wie rijdt mee?",
     None),
    ("Carpoolen", "Car pool from Delft, early shift", "Leaving Delft station at 6:45 on weekdays.", None),
    ("Mededeling", "Koor zoekt nieuwe leden", "Ons personeelskoor repeteert op maandagavond. Kom eens luisteren!",
     None),
    ("Mededeling", "Fietsenstalling locatie Leiden dicht op vrijdag", "Wegens onderhoud; gebruik de stalling "
     "aan de achterkant.", None),
    ("Te koop", "Kinderwagen, compleet", "Met regenhoes en voetenzak. Prijs overeen te komen.", 9000),
    ("Gevraagd", "Tips voor een goede wandelroute?", "Op zoek naar een mooie route rond de Vlietlanden.", None),
]


def load(session: Session, people: list[Any], rng: Any) -> None:
    """Add the categories and a few dozen notices from random colleagues, some of them soon to expire."""
    categories = {}
    for position, name in enumerate(CATEGORIES):
        category = Category(name=name, position=position)
        session.add(category)
        categories[name] = category
    session.flush()
    now = utcnow()
    for round_number in range(3):
        for index, (category, title, text, price) in enumerate(NOTICES):
            author = rng.choice(people)
            created = now - dt.timedelta(hours=rng.randint(1, 24 * 20), minutes=rng.randint(0, 59))
            post = Post(author_id=author.id, created_at=created, expires_at=created + dt.timedelta(days=30))
            values = {"title": title if round_number == 0 else f"{title} ({round_number + 1})", "text": text,
                      "location": rng.choice(LOCATIONS), "category": categories[category], "price_cents": price}
            board.apply(session, post, values)
            if (index + round_number) % 7 == 0:
                post.expires_at = now + dt.timedelta(days=2)
            session.add(post)
    session.flush()
    for post in session.query(Post):
        board.reindex(session, post)
