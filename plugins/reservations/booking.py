"""The booking rules: who may book what and when, recurrence in local time, clashes, and the insert itself.

The database has the last word on double booking (an exclusion constraint on PostgreSQL, a
write transaction taken at BEGIN plus a trigger on SQLite); the checks here give a person a
clear message naming the rule or the holder before that last word is needed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from organet import ValidationError
from organet.db import utcnow
from organet.i18n import gettext as _
from organet.people import User, shared_with, visible_clause

from .models import HOLDING, LONGEST_BOOKING, Booking, Resource

MAX_OCCURRENCES = 106
"""A weekly series of two years; longer series are refused with a message."""

PAST_GRACE = dt.timedelta(minutes=5)
"""A booking may start this long ago, so "book now" still works while the form is filled in."""

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Conflict(ValidationError):
    """The slot is held by someone else: "already booked by NAME". Pages answer 409."""


@dataclass(frozen=True)
class Slot:
    """One occurrence asked for: its UTC start and end."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def local_slots(day: dt.date, start: dt.time, end: dt.time, zone: ZoneInfo, *,
                every_weeks: int = 0, until: dt.date | None = None) -> list[Slot]:
    """Return the occurrences of a booking from ``day`` at local ``start``–``end`` in ``zone``, in UTC.

    ``every_weeks`` > 0 repeats it every that many weeks up to and including ``until``. Each
    occurrence keeps its local hours, so a 10:00 meeting stays at 10:00 across the change to and
    from summer time (its UTC time moves by an hour).
    """
    days = [day]
    if every_weeks > 0:
        if until is None or until < day:
            raise ValidationError(_("Choose the last day of the series, on or after the first day."),
                                  {"until": [_("Choose a date on or after the first day.")]})
        step = dt.timedelta(weeks=every_weeks)
        current = day + step
        while current <= until:
            days.append(current)
            current += step
        if len(days) > MAX_OCCURRENCES:
            raise ValidationError(_("A series can have at most %(count)d occurrences; choose an earlier end date.",
                                    count=MAX_OCCURRENCES), {"until": [_("Choose an earlier end date.")]})
    slots = []
    for each in days:
        starts = dt.datetime.combine(each, start, tzinfo=zone)
        ends = dt.datetime.combine(each, end, tzinfo=zone)
        if end == dt.time(0, 0) and start != end:
            ends += dt.timedelta(days=1)  # "until midnight"
        slots.append(Slot(starts.astimezone(dt.UTC), ends.astimezone(dt.UTC)))
    return slots


def format_days(open_days: str) -> str:
    """Return the open weekdays as "mon, tue, wed" in the current language."""
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    return ", ".join(names[int(d) - 1] for d in open_days if d.isdecimal() and 1 <= int(d) <= 7)


def rule_problems(resource: Resource, slot: Slot, zone: ZoneInfo, now: dt.datetime | None = None) -> list[str]:
    """Return, for one occurrence, a message for every rule it breaks (empty when it may be booked)."""
    now = now or utcnow()
    problems = []
    name = resource.name
    if not resource.active:
        problems.append(_("%(resource)s is not in use at the moment and cannot be booked.", resource=name))
    if slot.ends_at <= slot.starts_at:
        problems.append(_("The booking must end after it starts; now it has no length."))
        return problems
    if slot.starts_at < now - PAST_GRACE:
        problems.append(_("This time has already passed; a booking starts now or later."))
    length = slot.ends_at - slot.starts_at
    if length > dt.timedelta(minutes=resource.max_minutes) or length > LONGEST_BOOKING:
        problems.append(_("%(resource)s can be booked for at most %(minutes)d minutes at a time.",
                          resource=name, minutes=min(resource.max_minutes, int(LONGEST_BOOKING.total_seconds() // 60))))
    if slot.starts_at > now + dt.timedelta(days=resource.horizon_days):
        problems.append(_("%(resource)s can be booked at most %(days)d days ahead.",
                          resource=name, days=resource.horizon_days))
    if resource.has_hours and not within_hours(resource, slot, zone):
        problems.append(_("%(resource)s is open %(opens)s–%(closes)s on %(days)s; this booking falls outside "
                          "its opening hours.", resource=name, opens=f"{resource.opens_at():%H:%M}",
                          closes=f"{resource.closes_at():%H:%M}", days=format_days(resource.open_days)))
    return problems


def within_hours(resource: Resource, slot: Slot, zone: ZoneInfo) -> bool:
    """True when the occurrence lies on one open day, between opening and closing time (local)."""
    starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    if str(starts.isoweekday()) not in resource.open_days:
        return False
    start_minute = starts.hour * 60 + starts.minute
    end_minute = (ends - starts.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds() // 60
    return bool(resource.opens_minute is not None and resource.closes_minute is not None
                and resource.opens_minute <= start_minute and end_minute <= resource.closes_minute)


def is_shared_with(session: Session, person: Any, resource: Resource) -> bool:
    """True when ``resource`` (or the whole plugin) is shared with one of an external person's groups."""
    return shared_with(session, person, "reservations", "resource", resource.id)


def visible_filter(person: Any) -> Any:
    """A SQL condition on resources for an external person (only what is shared with them); ``None`` for employees."""
    if not getattr(person, "is_external", False):
        return None
    return visible_clause(person, "reservations", "resource", Resource.id)


def shared_resource_ids(session: Session, person: Any) -> set[int] | None:
    """The ids of resources an external person may see and book; ``None`` for employees (no limit)."""
    clause = visible_filter(person)
    if clause is None:
        return None
    return set(session.scalars(sa.select(Resource.id).where(clause)))


def access_problem(session: Session, resource: Resource, person: Any, manager: bool) -> str | None:
    """Return why ``person`` may not book ``resource`` at all, or ``None`` when they may (perhaps on request)."""
    if manager:
        return None
    if getattr(person, "is_external", False) and not is_shared_with(session, person, resource):
        return _("%(resource)s is not shared with you.", resource=resource.name)
    if resource.access == "groups" and not (set(resource.group_ids) & set(getattr(person, "group_ids", ()))):
        return _("Only members of certain groups may book %(resource)s.", resource=resource.name)
    return None


def needs_approval(resource: Resource, person: Any, manager: bool) -> bool:
    """True when a booking by ``person`` waits for one of the resource's approvers."""
    return resource.access == "approval" and not manager and person.id not in resource.approver_ids


def holding(session: Session, resource_id: int, slots: Sequence[Slot],
            exclude: Iterable[int] = ()) -> dict[int, Booking]:
    """Return, per index into ``slots``, a confirmed booking that overlaps it (one query)."""
    if not slots:
        return {}
    low = min(s.starts_at for s in slots)
    high = max(s.ends_at for s in slots)
    statement = sa.select(Booking).where(
        Booking.resource_id == resource_id, Booking.status == HOLDING,
        Booking.starts_at < high, Booking.starts_at > low - LONGEST_BOOKING, Booking.ends_at > low)
    excluded = list(exclude)
    if excluded:
        statement = statement.where(Booking.id.not_in(excluded))
    taken = list(session.scalars(statement))
    found: dict[int, Booking] = {}
    for index, slot in enumerate(slots):
        for booking in taken:
            if booking.starts_at < slot.ends_at and booking.ends_at > slot.starts_at:
                found[index] = booking
                break
    return found


def conflict_message(booking: Booking, zone: ZoneInfo) -> str:
    """"Already booked by Anna de Vries (10:00–11:00)": the answer to a clash."""
    starts, ends = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    return _("%(resource)s is already booked by %(name)s (%(day)s %(start)s–%(end)s).",
             resource=booking.resource.name, name=booking.holder_name, day=f"{starts:%d-%m-%Y}",
             start=f"{starts:%H:%M}", end=f"{ends:%H:%M}")


def holder_of(session: Session, resource_id: int, slot: Slot, zone: ZoneInfo) -> str:
    """The conflict message for whoever holds ``slot`` now (after the database refused an insert)."""
    found = holding(session, resource_id, [slot]).get(0)
    if found is None:
        return _("This slot was just booked by someone else. Choose another time.")
    return conflict_message(found, zone)


@dataclass
class BookingRequest:
    """What a person asked to book, after parsing; the view turns a form or JSON body into this."""

    resource: Resource
    slots: list[Slot]
    title: str
    description: str = ""
    booked_for: User | None = None
    attendee_ids: tuple[int, ...] = ()


def insert(session: Session, asked: BookingRequest, booker: Any, status: str, zone: ZoneInfo,
           skip: Iterable[int] = ()) -> list[Booking]:
    """Insert the occurrences of ``asked`` (leaving out the indexes in ``skip``) in the current transaction.

    Call inside a write transaction (``Page(write=True)``), after :func:`holding` found the
    slots free. On PostgreSQL the exclusion constraint still refuses an overlap that slipped in
    between; that becomes a :class:`Conflict` naming the holder, and the savepoint keeps the
    transaction usable so the message can be looked up.
    """
    skipped = set(skip)
    series = secrets.token_hex(8) if len(asked.slots) - len(skipped) > 1 else None
    made = []
    for index, slot in enumerate(asked.slots):
        if index in skipped:
            continue
        made.append(Booking(resource_id=asked.resource.id, series=series, starts_at=slot.starts_at,
                            ends_at=slot.ends_at, title=asked.title, description=asked.description,
                            booker_id=booker.id, booked_for_id=asked.booked_for.id if asked.booked_for else None,
                            attendee_ids=list(asked.attendee_ids), status=status))
    try:
        with session.begin_nested():
            session.add_all(made)
            session.flush()
    except IntegrityError as error:
        if not is_overlap_error(error):
            raise
        slot = next((Slot(b.starts_at, b.ends_at) for b in made), asked.slots[0])
        raise Conflict(holder_of(session, asked.resource.id, slot, zone)) from None
    return made


def confirm(session: Session, booking: Booking, zone: ZoneInfo) -> None:
    """Make a waiting request hold its slot (an approver said yes); :class:`Conflict` if it was taken meanwhile."""
    clash = holding(session, booking.resource_id, [Slot(booking.starts_at, booking.ends_at)],
                    exclude=[booking.id]).get(0)
    if clash is not None:
        raise Conflict(conflict_message(clash, zone))
    try:
        with session.begin_nested():
            booking.status = HOLDING
            session.flush()
    except IntegrityError as error:
        if not is_overlap_error(error):
            raise
        raise Conflict(holder_of(session, booking.resource_id, Slot(booking.starts_at, booking.ends_at),
                                 zone)) from None


def is_overlap_error(error: IntegrityError) -> bool:
    """True when the database refused a row because it overlaps a confirmed booking."""
    text = str(error.orig).lower()
    return "reservations_bookings_no_overlap" in text or "reservations: overlap" in text
