"""Who may do what with a booking, and loading the objects in a path for the current person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request

from organet import NotFound, web
from organet.db import utcnow
from organet.i18n import current_time_zone
from organet.i18n import gettext as _

from . import queries
from .models import Booking

MANAGE = "manage-resources"


def is_manager(request: Request) -> bool:
    """True for people who manage every resource and booking (admins by default)."""
    return web.has_permission(request, MANAGE)


def may_change(request: Request, booking: Booking) -> bool:
    """Only the booker, the person booked for and managers change or cancel a booking."""
    person = web.user(request)
    return is_manager(request) or person.id in (booking.booker_id, booking.booked_for_id)


def may_decide(request: Request, booking: Booking) -> bool:
    """Managers and the resource's named approvers approve or decline a request."""
    return is_manager(request) or web.user(request).id in (booking.resource.approver_ids or [])


def today() -> dt.date:
    return utcnow().astimezone(current_time_zone()).date()


def as_int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None


def as_day(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return today()


def load_booking(request: Request) -> Booking:
    """The booking in the path, if the current person may see its resource; else 404."""
    session = web.db(request)
    found = session.get(Booking, as_int(request.path_params["booking_id"]) or 0)
    if found is None or not queries.resource_visible(session, web.user(request), found.resource):
        raise NotFound(_("This booking does not exist, or you may not see it."))
    return found


