"""Calendars and screens: iCal feeds (per person, per resource), an .ics per booking, and the kiosk page.

Feeds and the kiosk are public routes opened by a secret token alone (calendar programs and
door tablets cannot sign in); only the token's SHA-256 digest is stored, and revoking deletes it.
The iCalendar text is written here (RFC 5545 is small for what we need: events with UTC
times); the tests parse it with the ``icalendar`` library to keep us honest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from organet import NotFound, PermissionDenied, web
from organet.db import utcnow
from organet.i18n import current_time_zone
from organet.i18n import gettext as _
from organet.people import User

from . import queries
from .access import is_manager, load_booking
from .models import HOLDING, Resource, Token

FEED_PAST = dt.timedelta(days=30)
FEED_FUTURE = dt.timedelta(days=365)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(session: Session, kind: str, *, user_id: int | None = None, resource_id: int | None = None,
              created_by: int | None = None) -> str:
    """Replace the token of this kind for this person or resource; return the new secret (shown once)."""
    session.execute(sa.delete(Token).where(Token.kind == kind, Token.user_id == user_id,
                                           Token.resource_id == resource_id))
    secret = secrets.token_urlsafe(32)
    session.add(Token(kind=kind, digest=digest(secret), user_id=user_id, resource_id=resource_id,
                      created_by_id=created_by))
    return secret


def revoke(session: Session, kind: str, *, user_id: int | None = None, resource_id: int | None = None) -> None:
    """Delete the token: the old address stops working at once."""
    session.execute(sa.delete(Token).where(Token.kind == kind, Token.user_id == user_id,
                                           Token.resource_id == resource_id))


def has_feed(session: Session, user_id: int) -> bool:
    return session.scalar(sa.select(Token.id).where(Token.kind == "feed", Token.user_id == user_id)) is not None


def has_kiosk(session: Session, resource_id: int) -> bool:
    return session.scalar(sa.select(Token.id).where(Token.kind == "kiosk", Token.resource_id == resource_id)) \
        is not None


def _token(request: Request, kind: str) -> Token:
    found = web.db(request).scalar(sa.select(Token).where(Token.kind == kind,
                                                          Token.digest == digest(request.path_params["token"])))
    if found is None:
        raise NotFound(_("This address is not (or no longer) valid."))
    return found


# --- iCalendar text -------------------------------------------------------------------------------


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 asks, without splitting a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[queries.Entry], host: str) -> str:
    """An iCalendar document with one VEVENT per booking (times in UTC; calendar apps show local time)."""
    now = _stamp(utcnow())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//organet//reservations//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    for entry in events:
        where = ", ".join(part for part in (entry.resource_name, entry.location) if part)
        lines += ["BEGIN:VEVENT", f"UID:reservation-{entry.id}@{host}", f"DTSTAMP:{now}",
                  f"DTSTART:{_stamp(entry.starts_at)}", f"DTEND:{_stamp(entry.ends_at)}",
                  f"SUMMARY:{_escape(entry.title)}", f"LOCATION:{_escape(where)}",
                  f"DESCRIPTION:{_escape(entry.description or '')}",
                  f"STATUS:{'CONFIRMED' if entry.status == HOLDING else 'TENTATIVE'}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _ics(body: str, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


# --- routes ---------------------------------------------------------------------------------------


def person_feed(request: Request) -> Response:
    """GET /feeds/{token}/mine.ics: the token owner's bookings, from a month ago to a year ahead."""
    token = _token(request, "feed")
    session = web.db(request)
    owner = session.get(User, token.user_id)
    if owner is None or not owner.active:
        raise NotFound(_("This address is not (or no longer) valid."))
    now = utcnow()
    events = queries.entries(session, now - FEED_PAST, now + FEED_FUTURE, person_id=owner.id,
                             statuses=(HOLDING, "pending"))
    return _ics(calendar(_("Bookings of %(name)s", name=owner.name), events, request.url.hostname or "organet"),
                "bookings.ics")


def resource_feed(request: Request) -> Response:
    """GET /feeds/{token}/resources/{id}.ics: a resource's bookings, for a token owner who may see it."""
    token = _token(request, "feed")
    session = web.db(request)
    owner = session.get(User, token.user_id)
    resource = session.get(Resource, int(request.path_params["resource_id"]))
    if owner is None or not owner.active or not queries.resource_visible(session, owner, resource) \
            or resource is None:
        raise NotFound(_("This address is not (or no longer) valid."))
    now = utcnow()
    events = queries.entries(session, now - FEED_PAST, now + FEED_FUTURE, resource_ids=[resource.id])
    return _ics(calendar(resource.name, events, request.url.hostname or "organet"), f"resource-{resource.id}.ics")


def booking_ics(request: Request) -> Response:
    """GET /bookings/{id}.ics: one booking, to add to one's own calendar."""
    found = load_booking(request)
    entry = queries.Entry(found.id, found.resource_id, found.starts_at, found.ends_at, found.title,
                          found.holder_name, found.status, found.description, found.resource.name,
                          found.resource.location.name if found.resource.location else "")
    return _ics(calendar(found.title, [entry], request.url.hostname or "organet"), f"booking-{found.id}.ics")


def feed_token(request: Request) -> Response:
    """POST: make a new personal feed address (the old one stops working) or revoke it."""
    session = web.db(request)
    person = web.user(request)
    if web.form(request).get("action") == "revoke":
        revoke(session, "feed", user_id=person.id)
        web.flash(request, _("Your calendar address no longer works."))
        return web.redirect(request, "reservations:mine")
    secret = new_token(session, "feed", user_id=person.id)
    request.state.new_feed_url = str(request.url_for("reservations:person_feed", token=secret))
    from .views import mine

    return mine(request)


def kiosk(request: Request) -> Response:
    """The tablet beside a room's door: now free or busy, and today's bookings. Opened by its kiosk token."""
    token = _token(request, "kiosk")
    session = web.db(request)
    resource = session.get(Resource, token.resource_id)
    if resource is None:
        raise NotFound(_("This address is not (or no longer) valid."))
    zone = current_time_zone()
    now = utcnow()
    low, high = queries.day_bounds(now.astimezone(zone).date(), zone)
    today = queries.entries(session, low, high, resource_ids=[resource.id])
    current = next((e for e in today if e.starts_at <= now < e.ends_at), None)
    following = next((e for e in today if e.starts_at > now), None)
    return web.render(request, "reservations/kiosk.html", {
        "title": resource.name, "resource": resource, "today": today, "current": current, "following": following,
        "now": now})


def kiosk_token(request: Request) -> Response:
    """POST (managers): make a new kiosk address for a resource, or revoke it."""
    if not is_manager(request):
        raise PermissionDenied(_("Only administrators manage kiosk screens."))
    session = web.db(request)
    resource = session.get(Resource, int(request.path_params["resource_id"]))
    if resource is None:
        raise NotFound(_("This resource does not exist."))
    if web.form(request).get("action") == "revoke":
        revoke(session, "kiosk", resource_id=resource.id)
        web.flash(request, _("The kiosk address of %(resource)s no longer works.", resource=resource.name))
        return web.redirect(request, "reservations:admin_resource", resource_id=resource.id)
    secret = new_token(session, "kiosk", resource_id=resource.id, created_by=web.user(request).id)
    request.state.new_kiosk_url = str(request.url_for("reservations:kiosk", token=secret))
    from .admin import resource_form

    return resource_form(request)

