"""What a booking tells the rest of the site: activity events (adoption figures), notifications, search.

Each goes through a core service (organet.activity, organet.notifications, organet.search);
nothing here is stored by the plugin itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request

from organet import activity, notifications, search, web
from organet.i18n import gettext as _

from .models import Booking, Resource


def _record(request: Request, verb: str, bookings: Sequence[Booking]) -> None:
    """Count a booking in the adoption figures: a contribution whose kind names the resource and location.

    ``kind`` is ``"booked:r<resource id>:l<location id>"`` (or cancelled/requested/...), so the
    activity events answer "bookings per resource and per location" with a GROUP BY on kind.
    """
    if not bookings:
        return
    first = bookings[0]
    kind = f"{verb}:r{first.resource_id}:l{first.resource.location_id or 0}"
    for _each in bookings:
        activity.record(web.db(request), web.user(request).id, "reservations", action="contribution", kind=kind)


def _notify(request: Request, people: Sequence[int], title: Callable[[], str], booking: Booking) -> None:
    """Tell ``people`` about ``booking``; ``title`` writes the text in each one's language."""
    if not people:
        return
    url = str(request.url_for("reservations:booking", booking_id=booking.id).path)
    notifications.notify(web.db(request), list(people), "reservations", "booking", booking.id, title=title, url=url,
           actor=web.user(request))


def booked(request: Request, made: Sequence[Booking], status: str) -> None:
    """Bookings were made: count them, and ask the approvers when they wait for approval."""
    _record(request, "booked" if status == "confirmed" else "requested", made)
    if status == "pending" and made:
        first = made[0]
        _notify(request, first.resource.approver_ids or [],
                lambda: _("%(name)s asks to book %(resource)s: %(title)s", name=web.user(request).name,
                          resource=first.resource.name, title=first.title), first)


def cancelled(request: Request, chosen: Sequence[Booking]) -> None:
    """Bookings were cancelled: count it, and tell the person booked for when someone else cancelled."""
    _record(request, "cancelled", chosen)
    if chosen:
        first = chosen[0]
        others = {first.booker_id, first.booked_for_id} - {web.user(request).id, None}
        _notify(request, [p for p in others if p is not None],
                lambda: _("%(name)s cancelled %(title)s", name=web.user(request).name, title=first.title), first)


def decided(request: Request, chosen: Sequence[Booking], *, approved: bool) -> None:
    """An approver decided: tell the booker."""
    if not chosen:
        return
    first = chosen[0]
    _record(request, "approved" if approved else "declined", chosen)

    def message() -> str:
        if approved:
            return _("Your booking of %(resource)s was approved: %(title)s", resource=first.resource.name,
                     title=first.title)
        return _("Your booking of %(resource)s was declined: %(title)s", resource=first.resource.name,
                 title=first.title)

    _notify(request, [p for p in (first.booker_id, first.booked_for_id) if p is not None], message, first)


def search_document(resource: Resource) -> Any:
    """The core search's document for a resource (externals find it only where it is shared with them)."""
    body = " ".join([resource.description, resource.kind, *resource.facilities,
                     resource.location.name if resource.location else ""])
    return search.SearchDocument(plugin="reservations", kind="resource", object_id=str(resource.id),
                                 title=resource.name, url=f"/reservations/resources/{resource.id}", text=body)


def index_resource(session: Any, resource: Resource) -> None:
    """Put a resource in the core search, or take it out when it is no longer active."""
    if resource.active:
        search.index(session, search_document(resource))
    else:
        search.remove(session, "reservations", "resource", str(resource.id))
