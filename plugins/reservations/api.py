"""The JSON API under /api/reservations/v1: resources, free resources, and booking (201, or 409 when taken)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from organet import NotFound, PermissionDenied, ValidationError, api, web
from organet.i18n import current_time_zone
from organet.i18n import gettext as _

from . import booking as rules
from . import events, forms, queries
from .access import as_int, is_manager, may_change
from .models import HOLDING, Booking, Resource


class BookingIn(BaseModel):
    """A booking asked for through the API; times are local (the site's time zone)."""

    resource_id: int
    day: dt.date
    start: str = Field(examples=["10:00"])
    end: str = Field(examples=["11:00"])
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    booked_for: str = ""
    attendees: list[str] = []
    every_weeks: int = Field(0, ge=0, le=8)
    until: dt.date | None = None
    book_the_rest: bool = False


def _resource(resource: Resource) -> dict[str, Any]:
    return {"id": resource.id, "name": resource.name, "kind": resource.kind, "capacity": resource.capacity,
            "facilities": resource.facilities, "location": resource.location.name if resource.location else None,
            "location_id": resource.location_id, "access": resource.access, "active": resource.active,
            "opens": f"{resource.opens_at():%H:%M}" if resource.has_hours else None,
            "closes": f"{resource.closes_at():%H:%M}" if resource.has_hours else None}


def _booking(found: Booking) -> dict[str, Any]:
    return {"id": found.id, "resource_id": found.resource_id, "series": found.series, "title": found.title,
            "starts_at": found.starts_at.isoformat(), "ends_at": found.ends_at.isoformat(), "status": found.status,
            "booked_by": found.holder_name}


def list_resources(request: Request) -> Any:
    """GET /resources?location=ID: the resources the caller may see, paginated."""
    allowed = rules.shared_resource_ids(web.db(request), web.user(request))
    statement = sa.select(Resource).where(Resource.active.is_(True)).order_by(Resource.name)
    location = as_int(request.query_params.get("location"))
    if location is not None:
        statement = statement.where(Resource.location_id == location)
    if allowed is not None:
        statement = statement.where(Resource.id.in_(allowed or [0]))
    return api.paginate(request, web.db(request), statement, _resource)


def free(request: Request) -> Any:
    """GET /free?start=ISO&end=ISO&people=N&facility=X&location=ID: resources nobody holds then."""
    params = request.query_params
    try:
        starts = dt.datetime.fromisoformat(params.get("start", ""))
        ends = dt.datetime.fromisoformat(params.get("end", ""))
    except ValueError:
        raise ValidationError(_("Give start and end as ISO times, for example 2026-12-01T10:00."),
                              {"start": [_("Use an ISO time.")]}) from None
    zone = current_time_zone()
    starts, ends = (t if t.tzinfo else t.replace(tzinfo=zone) for t in (starts, ends))
    people = as_int(params.get("people")) or 1
    found = queries.free_resources(web.db(request), web.user(request), starts.astimezone(dt.UTC),
                                   ends.astimezone(dt.UTC), location_id=as_int(params.get("location")),
                                   people=people, facility=params.get("facility", ""))
    return {"items": [_resource(r) for r in found]}


def create_booking(request: Request) -> Response:
    """POST /bookings: 201 with the bookings made; 409 "already booked by NAME"; 422 naming a broken rule."""
    body: BookingIn = api.payload(request)
    session = web.db(request)
    person = web.user(request)
    resource = session.get(Resource, body.resource_id)
    if not queries.resource_visible(session, person, resource) or resource is None:
        raise NotFound(_("This resource does not exist, or you may not see it."))
    manager = is_manager(request)
    refused = rules.access_problem(session, resource, person, manager)
    if refused:
        raise PermissionDenied(refused)
    zone = current_time_zone()
    data = {"title": body.title, "description": body.description, "day": body.day.isoformat(), "start": body.start,
            "end": body.end, "booked_for": body.booked_for, "attendees": ",".join(body.attendees),
            "repeat": "weekly" if body.every_weeks else "none", "every_weeks": str(body.every_weeks or ""),
            "until": body.until.isoformat() if body.until else ""}
    asked = forms.booking_request(session, data, resource, zone)
    problems = [p for slot in asked.slots for p in rules.rule_problems(resource, slot, zone)]
    if problems:
        raise ValidationError(problems[0], {"": problems})
    status = "pending" if rules.needs_approval(resource, person, manager) else HOLDING
    skip: set[int] = set()
    if status == HOLDING:
        clashes = rules.holding(session, resource.id, asked.slots)
        if clashes and (not body.book_the_rest or len(clashes) == len(asked.slots)):
            messages = [rules.conflict_message(b, zone) for _i, b in sorted(clashes.items())]
            return _conflict(messages[0], messages)
        skip = set(clashes)
    try:
        made = rules.insert(session, asked, person, status, zone, skip=skip)
    except rules.Conflict as error:
        return _conflict(str(error), [str(error)])
    events.booked(request, made, status)
    return JSONResponse({"items": [_booking(b) for b in made]}, status_code=201)


def _conflict(message: str, clashes: list[str]) -> Response:
    return JSONResponse({"error": {"code": "conflict", "message": message, "fields": {"": clashes}}},
                        status_code=409)


def cancel_booking(request: Request) -> Any:
    """DELETE /bookings/{id}: cancel one occurrence (``?scope=series`` for it and the later ones)."""
    session = web.db(request)
    found = session.get(Booking, as_int(request.path_params["booking_id"]) or 0)
    if found is None or not queries.resource_visible(session, web.user(request), found.resource):
        raise NotFound(_("This booking does not exist, or you may not see it."))
    if not may_change(request, found):
        raise PermissionDenied(_("Only the booker, the person it is booked for and administrators can cancel it."))
    chosen = [found]
    if request.query_params.get("scope") == "series" and found.series:
        chosen = list(session.scalars(sa.select(Booking).where(Booking.series == found.series,
                                                               Booking.starts_at >= found.starts_at)))
    for each in chosen:
        each.status = "cancelled"
    events.cancelled(request, chosen)
    return {"cancelled": [b.id for b in chosen]}
