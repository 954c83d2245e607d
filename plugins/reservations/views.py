"""The reservation pages: day grid, finding a free room, booking, changing and cancelling, my bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from organet import NotFound, PermissionDenied, ValidationError, web
from organet.db import utcnow
from organet.i18n import current_time_zone
from organet.i18n import gettext as _
from organet.people import User

from . import booking as rules
from . import events, forms, ical, queries
from .access import as_day, as_int, is_manager, load_booking, may_change, may_decide, today
from .models import FACILITIES, HOLDING, Booking, Resource

# --- the day grid and finding a free resource ---------------------------------------------------

ROOM_ID = "\x00room\x00"  # where a row of free cells gets its resource's id


def grid(request: Request) -> Response:
    """One location's day: resources as rows, hours as columns; free cells link to the booking form.

    The cells are prepared here as plain strings (links, "10:30–12:00 Title (Name)") so that the
    template only loops: a location of 80 resources is over a thousand cells, and per-cell
    template calls (translations, url_for, date formatting) would cost more than the queries.
    """
    session = web.db(request)
    person = web.user(request)
    zone = current_time_zone()
    places = queries.locations(session)
    location_id = as_int(request.query_params.get("location"))
    location = next((g for g in places if g.id == location_id), places[0] if places else None)
    day = as_day(request.query_params.get("day"))
    rooms = queries.grid_rooms(session, person, location.id) if location else []
    low, high = queries.day_bounds(day, zone)
    longest = max((dt.timedelta(minutes=r.max_minutes) for r in rooms), default=dt.timedelta(0))
    if getattr(person, "is_external", False):  # only what is shared with them
        booked = queries.entries(session, low, high, resource_ids=[r.id for r in rooms], longest=longest,
                                 details=False)
    else:
        booked = queries.entries(session, low, high, location_id=location.id if location else 0,
                                 longest=longest, details=False)
    first = int(web.setting(request, "reservations", "grid_start_hour"))
    last = max(first + 1, int(web.setting(request, "reservations", "grid_end_hour")))
    resource_url = web.path_for(request, "reservations:resource", resource_id=0)[:-1]
    day_start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    hours = range(first, last)
    edges = [(day_start + dt.timedelta(hours=hour)).astimezone(dt.UTC) for hour in range(first, last + 1)]
    # The same free cell for every resource but its id: escape each hour's link once, not per cell.
    free = escape(_("free"))
    free_cells = [(f'<td class="res-free"><a href="{escape(f"book?day={day.isoformat()}&hour={hour}&resource=")}',
                   f'">{free}</a></td>') for hour in hours]
    labels = [f"{hour:02d}:00" for hour in hours]
    by_room: dict[int, list[queries.Entry]] = {}
    for entry in booked:
        by_room.setdefault(entry.resource_id, []).append(entry)
    texts = {"busy": escape(_("booked")), "book": escape(_("Book")), "free_all_day": escape(_("Free all day.")),
             "book_link": escape(f"book?day={day.isoformat()}&resource="),
             # Every cell free: the same for each resource but its id (each piece escaped above).
             "free_row": "".join(f"{before}{ROOM_ID}{after}" for before, after in free_cells)}
    rows = []
    for room in rooms:
        mine = by_room.get(room.id, [])
        starting: list[list[str]] = [[] for _hour in hours]
        covered: list[str] = [""] * len(labels)
        for entry in mine:
            # Hours and minutes by hand: strftime is the dearest part of a grid of a few hundred bookings.
            starts, ends = entry.starts_at.astimezone(zone), entry.ends_at.astimezone(zone)
            text = f"{starts.hour:02d}:{starts.minute:02d}–{ends.hour:02d}:{ends.minute:02d} " \
                   f"{entry.title} ({entry.holder})"
            # The hour cells this booking touches, by arithmetic on the hour edges (evenly spaced:
            # the grid's hours never include the night when the clocks change).
            first_cell = max(0, int((entry.starts_at - edges[0]).total_seconds() // 3600))
            last_cell = min(len(labels), -int(-(entry.ends_at - edges[0]).total_seconds() // 3600))
            if first_cell >= last_cell:
                continue
            starting[first_cell].append(text)
            for index in range(first_cell + 1, last_cell):
                covered[index] = covered[index] or text
        rows.append(_row(room, f"{resource_url}{room.id}", not mine, free_cells, starting, covered, texts))
    return web.render(request, "reservations/grid.html", {
        "title": _("Reservations"), "locations": places, "location": location, "day": day,
        "hours": labels, "rows": rows,
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)})


def _row(room: Any, url: str, free_all_day: bool, free_cells: list[tuple[str, str]], starting: list[list[str]],
         covered: list[str], texts: dict[str, str]) -> Markup:
    """One grid row as HTML: the resource (name, capacity, booking link), then a cell per hour.

    A free hour is a link to the booking form, a booked one says what holds it. Built here
    rather than in the template because a location has over a thousand cells; every piece of
    text that comes from people is escaped.
    """
    room_id = str(room.id)
    parts = [f'<tr><th scope="row"><a href="{escape(url)}">{escape(room.name)}</a> '
             f'<span class="res-cap">{room.capacity}</span> '
             f'<a class="res-book" href="{texts["book_link"]}{room_id}">{texts["book"]}</a>']
    if free_all_day:
        parts.append(f' <span class="res-allday">{texts["free_all_day"]}</span></th>')
        parts.append(texts["free_row"].replace(ROOM_ID, room_id))
    else:
        parts.append("</th>")
        for index, (before, after) in enumerate(free_cells):
            if starting[index]:
                parts.append(f'<td class="res-busy">{escape("; ".join(starting[index]))}</td>')
            elif covered[index]:
                parts.append(f'<td class="res-busy res-more"><span class="res-cont" title="{escape(covered[index])}">'
                             f'{texts["busy"]}</span></td>')
            else:
                parts.append(f"{before}{room_id}{after}")
    parts.append("</tr>")
    return Markup("".join(parts))  # noqa: S704 - every part above is escaped


def find(request: Request) -> Response:
    """"Free now" or "free at this time for N people with facility X at location Y": the resources that fit."""
    session = web.db(request)
    zone = current_time_zone()
    params = request.query_params
    errors: dict[str, list[str]] = {}
    now = utcnow().astimezone(zone)
    right_now = bool(params.get("now")) or not params.get("day")
    day = now.date() if right_now else as_day(params.get("day"))
    start_text = f"{now:%H}:{(now.minute // 5) * 5:02d}" if right_now else params.get("start", "")
    start = forms.parse_time(start_text, "start", errors) or dt.time(now.hour)
    minutes = forms.parse_int(params.get("minutes"), "minutes", errors, minimum=5, maximum=24 * 60, default=60) or 60
    people = forms.parse_int(params.get("people"), "people", errors, minimum=1, maximum=10_000, default=1) or 1
    facility = params.get("facility", "") if params.get("facility", "") in FACILITIES else ""
    location_id = as_int(params.get("location"))
    starts = dt.datetime.combine(day, start, tzinfo=zone)
    ends = starts + dt.timedelta(minutes=minutes)
    searched = "people" in params or "now" in params
    found = queries.free_resources(session, web.user(request), starts.astimezone(dt.UTC), ends.astimezone(dt.UTC),
                                   location_id=location_id, people=people, facility=facility) \
        if searched and not errors else []
    return web.render(request, "reservations/find.html", {
        "title": _("Find a free room"), "locations": queries.locations(session), "facilities": FACILITIES,
        "values": {"day": day.isoformat(), "start": f"{start:%H:%M}", "minutes": minutes, "people": people,
                   "facility": facility, "location": location_id},
        "end": f"{ends:%H:%M}", "found": found, "searched": searched, "errors": errors})


# --- booking --------------------------------------------------------------------------------------


def _form_page(request: Request, resource: Resource | None, values: dict[str, Any], *, status: int = 200,
               errors: dict[str, list[str]] | None = None, message: str = "", problems: list[str] | None = None,
               clashes: list[dict[str, Any]] | None = None, skip: str = "") -> Response:
    session = web.db(request)
    choices = [] if resource else queries.visible_resources(session, web.user(request))
    return web.render(request, "reservations/book.html", {
        "title": _("Book %(resource)s", resource=resource.name) if resource else _("Book a room"),
        "resource": resource, "choices": choices, "values": values, "errors": errors or {}, "message": message,
        "problems": problems or [], "clashes": clashes or [], "skip": skip,
        "approval": resource is not None and rules.needs_approval(resource, web.user(request), is_manager(request)),
    }, status_code=status)


def book(request: Request) -> Response:
    """The booking form (GET) and the booking itself (POST, in a write transaction taken at its start)."""
    session = web.db(request)
    person = web.user(request)
    source: Any = web.form(request) if request.method == "POST" else request.query_params
    resource = session.get(Resource, as_int(source.get("resource")) or 0)
    if source.get("resource") and not queries.resource_visible(session, person, resource):
        raise NotFound(_("This resource does not exist, or you may not see it."))
    values = {key: str(source.get(key) or "") for key in (
        "day", "start", "end", "title", "description", "booked_for", "attendees", "repeat", "every_weeks", "until")}
    values["day"] = values["day"] or today().isoformat()
    hour = as_int(source.get("hour"))
    if hour is not None and hour < 24 and not values["start"]:
        values["start"], values["end"] = f"{hour:02d}:00", f"{(hour + 1) % 24:02d}:00"
    if request.method != "POST":
        return _form_page(request, resource, values)
    if resource is None:
        return _form_page(request, None, values, status=422, errors={"resource": [_("Choose what to book.")]})
    manager = is_manager(request)
    refused = rules.access_problem(session, resource, person, manager)
    if refused:
        return _form_page(request, resource, values, status=403, message=refused)
    zone = current_time_zone()
    try:
        asked = forms.booking_request(session, source, resource, zone)
    except ValidationError as error:
        return _form_page(request, resource, values, status=422, errors=error.errors, message=str(error))
    problems = []
    for slot in asked.slots:
        for problem in rules.rule_problems(resource, slot, zone):
            when = slot.starts_at.astimezone(zone)
            problems.append(problem if len(asked.slots) == 1 else f"{when:%d-%m-%Y}: {problem}")
    if problems:
        return _form_page(request, resource, values, status=422, problems=problems,
                          message=_("Nothing was booked: this booking breaks a rule."))
    status = "pending" if rules.needs_approval(resource, person, manager) else HOLDING
    skip: set[int] = set()
    if status == HOLDING:
        clashes = rules.holding(session, resource.id, asked.slots)
        if clashes and len(asked.slots) == 1:
            return _form_page(request, resource, values, status=409,
                              message=rules.conflict_message(clashes[0], zone))
        expected = ",".join(str(i) for i in sorted(clashes))
        if clashes and (str(source.get("skip", "")) != expected or len(clashes) == len(asked.slots)):
            listed = [{"when": asked.slots[i].starts_at, "message": rules.conflict_message(b, zone)}
                      for i, b in sorted(clashes.items())]
            return _form_page(request, resource, values, status=409, clashes=listed, skip=expected,
                              message=_("%(count)d of %(total)d dates are already booked. Nothing was saved yet.",
                                        count=len(clashes), total=len(asked.slots)))
        skip = set(clashes)
    try:
        made = rules.insert(session, asked, person, status, zone, skip=skip)
    except rules.Conflict as error:
        return _form_page(request, resource, values, status=409, message=str(error))
    events.booked(request, made, status)
    if status == HOLDING:
        web.flash(request, _("Booked: %(count)d time(s).", count=len(made)))
    else:
        web.flash(request, _("Your request was sent to the approvers; it holds nothing until one approves it."))
    return web.redirect(request, "reservations:booking", booking_id=made[0].id)


def booking_page(request: Request) -> Response:
    """One booking: when, where, who; with change, cancel, check-in and approval where allowed."""
    found = load_booking(request)
    session = web.db(request)
    series = []
    if found.series:
        series = list(session.scalars(sa.select(Booking).where(Booking.series == found.series)
                                      .order_by(Booking.starts_at).limit(200)))
    attendees = []
    if found.attendee_ids:
        attendees = list(session.scalars(sa.select(User).where(User.id.in_(found.attendee_ids[:200]))))
    return web.render(request, "reservations/booking.html", {
        "title": found.title, "booking": found, "series": series, "attendees": attendees,
        "can_change": may_change(request, found),
        "can_decide": may_decide(request, found) and found.status == "pending",
        "zone": current_time_zone()})


def _scope(request: Request, found: Booking) -> list[Booking]:
    """This occurrence, or it and the series' later ones (``scope=series``)."""
    if web.form(request).get("scope") == "series" and found.series:
        return list(web.db(request).scalars(sa.select(Booking).where(
            Booking.series == found.series, Booking.starts_at >= found.starts_at,
            Booking.status.in_((HOLDING, "pending")))))
    return [found]


def cancel(request: Request) -> Response:
    """Cancel one occurrence or the rest of the series; the slot is free at once."""
    found = load_booking(request)
    if not may_change(request, found):
        raise PermissionDenied(_("Only the booker, the person it is booked for and administrators can cancel it."))
    chosen = _scope(request, found)
    for each in chosen:
        each.status = "cancelled"
    events.cancelled(request, chosen)
    web.flash(request, _("Cancelled: %(count)d time(s).", count=len(chosen)))
    return web.redirect(request, "reservations:mine")


def edit(request: Request) -> Response:
    """Change the title, description and time of one occurrence or of the rest of the series."""
    found = load_booking(request)
    if not may_change(request, found):
        raise PermissionDenied(_("Only the booker, the person it is booked for and administrators can change it."))
    zone = current_time_zone()
    starts, ends = found.starts_at.astimezone(zone), found.ends_at.astimezone(zone)
    source: Any = web.form(request) if request.method == "POST" else {}
    defaults = {"title": found.title, "description": found.description, "day": starts.date().isoformat(),
                "start": f"{starts:%H:%M}", "end": f"{ends:%H:%M}", "scope": "one"}
    values = {key: str(source.get(key, default)) for key, default in defaults.items()}
    context = {"title": _("Change booking"), "booking": found, "values": values, "errors": {}, "problems": []}
    if request.method != "POST":
        return web.render(request, "reservations/edit.html", context)
    errors: dict[str, list[str]] = {}
    title = values["title"].strip()[:200]
    if not title:
        errors["title"] = [_("Give the booking a title, for example 'Team meeting'.")]
    day = forms.parse_date(values["day"], "day", errors)
    start = forms.parse_time(values["start"], "start", errors)
    end = forms.parse_time(values["end"], "end", errors)
    if errors or day is None or start is None or end is None:
        return web.render(request, "reservations/edit.html", {**context, "errors": errors}, status_code=422)
    chosen = _scope(request, found)
    shift = day - starts.date()
    slots = []
    for each in chosen:
        local_day = each.starts_at.astimezone(zone).date() + shift
        slots.extend(rules.local_slots(local_day, start, end, zone))
    problems = [f"{s.starts_at.astimezone(zone):%d-%m-%Y}: {p}" for s in slots
                for p in rules.rule_problems(found.resource, s, zone)]
    clashes = rules.holding(web.db(request), found.resource_id, slots, exclude=[b.id for b in chosen])
    problems += [rules.conflict_message(b, zone) for b in clashes.values()]
    if problems:
        return web.render(request, "reservations/edit.html", {**context, "problems": problems},
                          status_code=409 if clashes else 422)
    try:
        with web.db(request).begin_nested():
            for each, slot in zip(chosen, slots, strict=True):
                each.title, each.description = title, values["description"].strip()[:4000]
                each.starts_at, each.ends_at = slot.starts_at, slot.ends_at
            web.db(request).flush()
    except sa.exc.IntegrityError as error:
        if not rules.is_overlap_error(error):
            raise
        return web.render(request, "reservations/edit.html", {
            **context, "problems": [_("This slot was just booked by someone else. Choose another time.")]},
            status_code=409)
    web.flash(request, _("Changed: %(count)d time(s).", count=len(chosen)))
    return web.redirect(request, "reservations:booking", booking_id=found.id)


def decide(request: Request) -> Response:
    """An approver approves (the request then holds its slot) or declines a waiting request."""
    found = load_booking(request)
    if not may_decide(request, found):
        raise PermissionDenied(_("Only the approvers of %(resource)s decide on requests.",
                                 resource=found.resource.name))
    if found.status != "pending":
        raise ValidationError(_("This request was already decided."))
    chosen = _scope(request, found)
    if web.form(request).get("decision") == "approve":
        try:
            for each in chosen:
                rules.confirm(web.db(request), each, current_time_zone())
        except rules.Conflict as error:
            web.flash(request, str(error), "error")
            return web.redirect(request, "reservations:booking", booking_id=found.id)
        events.decided(request, chosen, approved=True)
        web.flash(request, _("Approved."))
    else:
        for each in chosen:
            each.status = "declined"
        events.decided(request, chosen, approved=False)
        web.flash(request, _("Declined."))
    return web.redirect(request, "reservations:booking", booking_id=found.id)


def check_in(request: Request) -> Response:
    """Say that the booking is used, so that the release job leaves it alone."""
    found = load_booking(request)
    if not (may_change(request, found) or web.user(request).id in (found.attendee_ids or [])):
        raise PermissionDenied(_("Only the booker, the person it is booked for and attendees check in."))
    found.checked_in_at = found.checked_in_at or utcnow()
    web.flash(request, _("Checked in."))
    return web.redirect(request, "reservations:booking", booking_id=found.id)


# --- my bookings ----------------------------------------------------------------------------------


def mine(request: Request) -> Response:
    """My coming bookings and requests, the requests waiting for my approval, and my calendar feed."""
    session = web.db(request)
    person = web.user(request)
    now = utcnow()
    upcoming = queries.entries(session, now, now + dt.timedelta(days=3 * 365), person_id=person.id,
                               statuses=(HOLDING, "pending"), limit=200)
    approving = [r.id for r in session.scalars(sa.select(Resource).where(Resource.access == "approval"))
                 if person.id in (r.approver_ids or []) or is_manager(request)]
    waiting = queries.entries(session, now, now + dt.timedelta(days=3 * 365), resource_ids=approving,
                              statuses=("pending",), limit=200) if approving else []
    return web.render(request, "reservations/mine.html", {
        "title": _("My bookings"), "upcoming": upcoming, "waiting": waiting,
        "feed_url": getattr(request.state, "new_feed_url", ""), "has_feed": ical.has_feed(session, person.id)})


def resource_page(request: Request) -> Response:
    """A resource: what it offers, when it is open, and its bookings of the next days."""
    session = web.db(request)
    resource = session.get(Resource, as_int(request.path_params["resource_id"]) or 0)
    if not queries.resource_visible(session, web.user(request), resource) or resource is None:
        raise NotFound(_("This resource does not exist, or you may not see it."))
    zone = current_time_zone()
    low, _high = queries.day_bounds(today(), zone)
    coming = queries.entries(session, low, low + dt.timedelta(days=7), resource_ids=[resource.id], limit=200)
    return web.render(request, "reservations/resource.html", {
        "title": resource.name, "resource": resource, "coming": coming, "days": rules.format_days(resource.open_days)})
