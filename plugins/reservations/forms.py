"""Turning submitted text (a booking form, a resource form, a CSV row) into checked values with messages per field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import ValidationError
from organet.i18n import gettext as _
from organet.people import Group, User

from .booking import BookingRequest, local_slots
from .models import ACCESS, KINDS, Resource

RESOURCE_COLUMNS = ("location", "name", "kind", "capacity", "facilities", "opens", "closes", "days", "access",
                    "groups", "approvers", "max_minutes", "horizon_days", "active", "description")
"""The CSV import's columns (a header row names them; only location and name are required)."""

MAX_IMPORT_ROWS = 5000

EXAMPLE = ("location,name,kind,capacity,facilities,opens,closes,days,access\n"
           "locatie-delft,Overlegkamer 3,room,6,screen;whiteboard,08:00,18:00,12345,everyone")


def text(data: Mapping[str, Any], key: str, limit: int = 200) -> str:
    """The stripped text of a field, cut to ``limit`` characters."""
    return str(data.get(key) or "").strip()[:limit]


def parse_date(value: str, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD, for example 2026-12-01."))
        return None


def parse_time(value: str, field: str, errors: dict[str, list[str]]) -> dt.time | None:
    found = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", value or "")
    if found and int(found.group(1)) <= 24 and int(found.group(2)) < 60:
        hour, minute = int(found.group(1)), int(found.group(2))
        return dt.time(0, 0) if hour == 24 and minute == 0 else dt.time(hour % 24, minute)
    errors.setdefault(field, []).append(_("Enter a time as HH:MM, for example 09:30."))
    return None


def parse_int(value: Any, field: str, errors: dict[str, list[str]], *, minimum: int = 0,
              maximum: int = 1_000_000, default: int | None = None) -> int | None:
    raw = str(value if value is not None else "").strip()
    if not raw and default is not None:
        return default
    if raw.isdecimal() and minimum <= int(raw) <= maximum:
        return int(raw)
    errors.setdefault(field, []).append(_("Enter a whole number from %(low)d to %(high)d.", low=minimum, high=maximum))
    return None


def people_named(session: Session, raw: str, field: str, errors: dict[str, list[str]]) -> list[User]:
    """Resolve usernames or e-mail addresses, separated by commas or spaces, to active people."""
    names = [part for part in re.split(r"[\s,;]+", raw.strip()) if part][:100]
    if not names:
        return []
    lowered = [name.lower() for name in names]
    found = list(session.scalars(sa.select(User).where(
        User.active.is_(True),
        sa.or_(sa.func.lower(User.username).in_(lowered), sa.func.lower(User.email).in_(lowered)))))
    known = {u.username.lower() for u in found} | {u.email.lower() for u in found}
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        errors.setdefault(field, []).append(_("No colleague found for: %(names)s.", names=", ".join(unknown)))
    return found


def booking_request(session: Session, data: Mapping[str, Any], resource: Resource, zone: ZoneInfo) -> BookingRequest:
    """Read a booking form (or JSON body) into a :class:`BookingRequest`; ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    title = text(data, "title")
    if not title:
        errors.setdefault("title", []).append(_("Give the booking a title, for example 'Team meeting'."))
    day = parse_date(text(data, "day"), "day", errors)
    start = parse_time(text(data, "start"), "start", errors)
    end = parse_time(text(data, "end"), "end", errors)
    repeat = text(data, "repeat") or "none"
    every = 0
    until = None
    if repeat == "weekly":
        every = parse_int(data.get("every_weeks"), "every_weeks", errors, minimum=1, maximum=8, default=1) or 0
        until = parse_date(text(data, "until"), "until", errors)
    elif repeat != "none":
        errors.setdefault("repeat", []).append(_("Choose 'does not repeat' or 'weekly'."))
    booked_for = None
    if text(data, "booked_for"):
        found = people_named(session, text(data, "booked_for"), "booked_for", errors)
        booked_for = found[0] if found else None
    attendees = people_named(session, text(data, "attendees", 4000), "attendees", errors)
    if errors or day is None or start is None or end is None:
        raise ValidationError(_("Please correct the marked fields."), errors)
    slots = local_slots(day, start, end, zone, every_weeks=every, until=until)
    return BookingRequest(resource=resource, slots=slots, title=title, description=text(data, "description", 4000),
                          booked_for=booked_for, attendee_ids=tuple(u.id for u in attendees))


def _minutes(value: str, field: str, errors: dict[str, list[str]]) -> int | None:
    if not value.strip():
        return None
    moment = parse_time(value, field, errors)
    if moment is None:
        return None
    return 24 * 60 if moment == dt.time(0, 0) else moment.hour * 60 + moment.minute


def resource_values(session: Session, data: Mapping[str, Any], locations: dict[str, Group]) -> dict[str, Any]:
    """Check a resource's fields (admin form or CSV row) and return the values to store.

    ``locations`` maps a location's slug and lower-cased name to its group. Raises
    ValidationError with a message per field.
    """
    errors: dict[str, list[str]] = {}
    name = text(data, "name", 120)
    if not name:
        errors.setdefault("name", []).append(_("Give the resource a name."))
    location_key = text(data, "location").lower()
    location = locations.get(location_key)
    if location is None:
        errors.setdefault("location", []).append(_("Choose one of the locations: %(names)s.",
                                                   names=", ".join(sorted({g.slug for g in locations.values()}))))
    kind = text(data, "kind") or "room"
    if kind not in KINDS:
        errors.setdefault("kind", []).append(_("Choose one of: %(kinds)s.", kinds=", ".join(KINDS)))
    capacity = parse_int(data.get("capacity"), "capacity", errors, maximum=10_000, default=1)
    facilities = sorted({f.strip().lower() for f in re.split(r"[;,|]", text(data, "facilities", 500)) if f.strip()})
    opens = _minutes(text(data, "opens"), "opens", errors)
    closes = _minutes(text(data, "closes"), "closes", errors)
    if (opens is None) != (closes is None):
        errors.setdefault("closes", []).append(_("Give both an opening and a closing time, or neither."))
    elif opens is not None and closes is not None and closes <= opens:
        errors.setdefault("closes", []).append(_("The closing time must be after the opening time."))
    days = "".join(sorted(set(re.sub(r"[^1-7]", "", text(data, "days") or "12345"))))
    if not days:
        errors.setdefault("days", []).append(_("Give the open weekdays as digits, 1 = Monday to 7 = Sunday."))
    access = text(data, "access") or "everyone"
    if access not in ACCESS:
        errors.setdefault("access", []).append(_("Choose one of: %(kinds)s.", kinds=", ".join(ACCESS)))
    group_slugs = [s for s in re.split(r"[\s,;|]+", text(data, "groups", 2000)) if s]
    groups = list(session.scalars(sa.select(Group).where(Group.slug.in_(group_slugs)))) if group_slugs else []
    missing = sorted(set(group_slugs) - {g.slug for g in groups})
    if missing:
        errors.setdefault("groups", []).append(_("No group found for: %(names)s.", names=", ".join(missing)))
    if access == "groups" and not group_slugs:
        errors.setdefault("groups", []).append(_("Name the groups that may book it."))
    approvers = people_named(session, text(data, "approvers", 2000), "approvers", errors)
    if access == "approval" and not approvers and not errors.get("approvers"):
        errors.setdefault("approvers", []).append(_("Name at least one approver."))
    max_minutes = parse_int(data.get("max_minutes"), "max_minutes", errors, minimum=5, maximum=14 * 24 * 60,
                            default=240)
    horizon = parse_int(data.get("horizon_days"), "horizon_days", errors, minimum=1, maximum=3 * 365, default=90)
    active_raw = text(data, "active").lower()
    if active_raw not in ("", "1", "yes", "true", "on", "ja", "0", "no", "false", "off", "nee"):
        errors.setdefault("active", []).append(_("Write yes or no."))
    if errors:
        raise ValidationError(_("Please correct the marked fields."), errors)
    return {"name": name, "location_id": location.id if location else None, "kind": kind, "capacity": capacity,
            "facilities": facilities, "opens_minute": opens, "closes_minute": closes, "open_days": days,
            "access": access, "group_ids": sorted(g.id for g in groups),
            "approver_ids": sorted(u.id for u in approvers),
            "max_minutes": max_minutes, "horizon_days": horizon,
            "active": active_raw not in ("0", "no", "false", "off", "nee"),
            "description": text(data, "description", 4000)}


def group_ids(session: Session, raw: str, field: str) -> list[int]:
    """The ids of the groups named by slug in ``raw`` (commas or spaces between); ValidationError names unknown ones."""
    slugs = [s for s in re.split(r"[\s,;|]+", raw.strip()) if s]
    if not slugs:
        return []
    rows = session.execute(sa.select(Group.slug, Group.id).where(Group.slug.in_(slugs)))
    found = {slug: group_id for slug, group_id in rows}
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise ValidationError(_("Please correct the marked fields."),
                              {field: [_("No group found for: %(names)s.", names=", ".join(missing))]})
    return sorted(found.values())


def location_index(session: Session) -> dict[str, Group]:
    """Every location group by slug and by lower-cased name."""
    index: dict[str, Group] = {}
    for group in session.scalars(sa.select(Group).where(Group.kind == "location")):
        index[group.name.lower()] = group
        index[group.slug.lower()] = group
    return index


def import_rows(session: Session, content: str) -> list[dict[str, Any]]:
    """Check every row of a resources CSV and return their values; see :func:`_import_rows`."""
    try:
        return _import_rows(session, content)
    except csv.Error as error:
        raise ValidationError(_("The file could not be read as CSV (%(problem)s). Save it as CSV, UTF-8, "
                                "with one resource per line.", problem=str(error))) from None


def _import_rows(session: Session, content: str) -> list[dict[str, Any]]:
    """Check every row of a resources CSV and return their values; nothing is stored here.

    Raises ValidationError listing every bad row by its line number, so the admin can fix the
    file in one go; the caller stores the rows only when there is no error at all.
    """
    sample = content[:2048]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(content), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "name" not in header or "location" not in header:
        raise ValidationError(_("The first line must name the columns; 'location' and 'name' are required. "
                                "Columns: %(columns)s.", columns=", ".join(RESOURCE_COLUMNS)))
    unknown = [h for h in header if h not in RESOURCE_COLUMNS]
    if unknown:
        raise ValidationError(_("Unknown columns: %(names)s. Columns: %(columns)s.", names=", ".join(unknown),
                                columns=", ".join(RESOURCE_COLUMNS)))
    locations = location_index(session)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[tuple[Any, str], int] = {}
    for raw in reader:
        line = reader.line_num
        data = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        if not any(str(v or "").strip() for v in data.values()):
            continue
        if len(rows) + len(problems) >= MAX_IMPORT_ROWS:
            raise ValidationError(_("A file may have at most %(count)d rows; split it.", count=MAX_IMPORT_ROWS))
        try:
            values = resource_values(session, data, locations)
        except ValidationError as error:
            for field, messages in error.errors.items():
                problems.extend(_("Line %(line)d, %(field)s: %(problem)s", line=line, field=field or "-",
                                  problem=message) for message in messages)
            continue
        key = (values["location_id"], values["name"].lower())
        if key in seen:
            problems.append(_("Line %(line)d: the same resource as line %(other)d.", line=line, other=seen[key]))
            continue
        seen[key] = line
        rows.append(values)
    if problems:
        raise ValidationError(_("Nothing was imported; correct these lines and try again."), {"file": problems})
    if not rows:
        raise ValidationError(_("The file has no rows to import."))
    return rows
