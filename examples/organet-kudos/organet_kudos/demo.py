"""Sample kudos for `organet demo`: colleagues thanking each other, in Dutch and English."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from organet.db import utcnow
from organet_kudos.models import Kudo

MESSAGES = (
    "Bedankt voor het overnemen van mijn dienst!",
    "Top hoe je de nieuwe collega's hebt ingewerkt.",
    "Dank je wel voor je hulp bij de wondzorg van mevrouw J.",
    "Thanks for sorting out the rota so quickly.",
    "Fijn dat je meedacht over het nieuwe overdrachtsformulier.",
    "Thank you for staying late during the storm.",
)


def load(session: Any, people: list[Any], rng: random.Random) -> None:
    """Add a few dozen kudos between employees over the last weeks."""
    employees = [p for p in people if p.kind == "employee"]
    now = utcnow()
    for _ in range(40):
        giver, receiver = rng.sample(employees, 2)
        session.add(Kudo(giver_id=giver.id, receiver_id=receiver.id, message=rng.choice(MESSAGES),
                         created_at=now - dt.timedelta(hours=rng.randint(1, 24 * 21))))
