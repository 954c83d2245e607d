"""When a person works: their weekly pattern, their absences, "at work today?" and the next day they are in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from organet_plugins.phonebook.models import DAY_PARTS, Absence
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.i18n import current_time_zone

LOOK_AHEAD_DAYS = 60
WORKDAYS = range(5)


def today() -> dt.date:
    """Today in the current person's (or the site's) time zone."""
    return utcnow().astimezone(current_time_zone()).date()


def parts_on(pattern: Sequence[str], day: dt.date) -> list[str]:
    """The parts of ``day`` (morning, afternoon) the pattern says the person works; empty pattern: weekdays."""
    if not pattern:
        return list(DAY_PARTS) if day.weekday() in WORKDAYS else []
    return [part for part in DAY_PARTS if f"{day.weekday()}-{part}" in pattern]


@dataclass(frozen=True)
class Status:
    """Whether a person is in today, when next, and (for those allowed) why not."""

    in_today: bool
    parts_today: tuple[str, ...]
    absence: Absence | None
    next_in: dt.date | None


# Built once: putting a statement together costs more than running it, and every person page runs these.
_ABSENCES_BETWEEN = (
    sa.select(Absence)
    .where(Absence.person_id.in_(sa.bindparam("ids", expanding=True)), Absence.ends_on >= sa.bindparam("first"),
           Absence.starts_on <= sa.bindparam("last"))
    .order_by(Absence.starts_on))
_UPCOMING_ABSENCES = (
    sa.select(Absence).where(Absence.person_id == sa.bindparam("person_id"), Absence.ends_on >= sa.bindparam("day"))
    .order_by(Absence.starts_on).limit(sa.bindparam("limit")))


def absences_between(session: Session, person_ids: Iterable[int], first: dt.date, last: dt.date) -> list[Absence]:
    """Return the absences of these people that overlap ``first``..``last``."""
    return list(session.scalars(_ABSENCES_BETWEEN, {"ids": list(person_ids), "first": first, "last": last}))


def status(pattern: Sequence[str], absences: Sequence[Absence], day: dt.date) -> Status:
    """Work out the status on ``day`` from the pattern and the absences around it (no queries)."""
    def absent_on(d: dt.date) -> Absence | None:
        return next((a for a in absences if a.starts_on <= d <= a.ends_on), None)

    absence = absent_on(day)
    parts = tuple(parts_on(pattern, day)) if absence is None else ()
    next_in = None
    for offset in range(1, LOOK_AHEAD_DAYS + 1):
        candidate = day + dt.timedelta(days=offset)
        if parts_on(pattern, candidate) and absent_on(candidate) is None:
            next_in = candidate
            break
    return Status(bool(parts), parts, absence, next_in)


def status_of(session: Session, person_id: int, pattern: Sequence[str], day: dt.date | None = None) -> Status:
    """Return one person's status on ``day`` (today by default) with one query."""
    day = day or today()
    absences = absences_between(session, [person_id], day, day + dt.timedelta(days=LOOK_AHEAD_DAYS))
    return status(pattern, absences, day)


def upcoming_absences(session: Session, person_id: int, day: dt.date | None = None, limit: int = 10) -> list[Absence]:
    """Return the person's current and future absences, soonest first."""
    day = day or today()
    return list(session.scalars(_UPCOMING_ABSENCES, {"person_id": person_id, "day": day, "limit": limit}))
