"""The admin pages for resources: the list, one resource's form, kiosk addresses and the CSV import."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import NotFound, ValidationError, content, web
from organet.db import utcnow
from organet.i18n import gettext as _
from organet.people import Group, User, share, shared_groups

from . import events, forms, ical, queries
from .models import ACCESS, FACILITIES, HOLDING, KINDS, Booking, Resource


def resources(request: Request) -> Response:
    """Every resource, active or not, by location, with its bookings of the last 30 days; the CSV import."""
    return _list_page(request, "", [])


def _list_page(request: Request, message: str, problems: list[str], status: int = 200) -> Response:
    session = web.db(request)
    rows = list(session.scalars(sa.select(Resource).order_by(Resource.location_id, Resource.name)))
    now = utcnow()
    counts = dict(session.execute(sa.select(Booking.resource_id, sa.func.count()).where(
        Booking.status == HOLDING, Booking.starts_at >= now - dt.timedelta(days=30), Booking.starts_at < now)
        .group_by(Booking.resource_id)).all())
    per_location: dict[str, int] = {}
    for resource in rows:
        name = resource.location.name if resource.location else "—"
        per_location[name] = per_location.get(name, 0) + counts.get(resource.id, 0)
    return web.render(request, "reservations/admin_resources.html", {
        "title": _("Resources"), "resources": rows, "columns": forms.RESOURCE_COLUMNS, "example": forms.EXAMPLE,
        "problems": problems, "message": message, "counts": counts, "per_location": per_location},
        status_code=status)


def _minute_text(minute: int | None) -> str:
    if minute is None:
        return ""
    return "24:00" if minute >= 24 * 60 else f"{minute // 60:02d}:{minute % 60:02d}"


def _values_of(session: Any, resource: Resource) -> dict[str, str]:
    groups = session.scalars(sa.select(Group.slug).where(Group.id.in_(resource.group_ids))).all() \
        if resource.group_ids else []
    approvers = session.scalars(sa.select(User.username).where(User.id.in_(resource.approver_ids))).all() \
        if resource.approver_ids else []
    shared = session.scalars(sa.select(Group.slug).where(Group.id.in_(
        shared_groups(session, "reservations", "resource", resource.id)))).all()
    return {"name": resource.name, "location": resource.location.slug if resource.location else "",
            "shared_with": ", ".join(shared),
            "kind": resource.kind, "capacity": str(resource.capacity), "facilities": ", ".join(resource.facilities),
            "opens": _minute_text(resource.opens_minute), "closes": _minute_text(resource.closes_minute),
            "days": resource.open_days, "access": resource.access, "groups": ", ".join(groups),
            "approvers": ", ".join(approvers), "max_minutes": str(resource.max_minutes),
            "horizon_days": str(resource.horizon_days), "active": "yes" if resource.active else "no",
            "description": resource.description}


def resource_form(request: Request) -> Response:
    """Add (``/admin/new``) or change a resource; a POST stores it when every field is right."""
    session = web.db(request)
    resource_id = request.path_params.get("resource_id")
    resource = session.get(Resource, int(resource_id)) if resource_id else None
    if resource_id and resource is None:
        raise NotFound(_("This resource does not exist."))
    values = _values_of(session, resource) if resource else {"kind": "room", "capacity": "6", "opens": "08:00",
                                                            "closes": "18:00", "days": "12345",
                                                            "access": "everyone", "max_minutes": "240",
                                                            "horizon_days": "90", "active": "yes"}
    errors: dict[str, list[str]] = {}
    status = 200
    posted = request.method == "POST" and request.url.path.endswith(("/new", f"/{resource_id}"))
    if posted:
        form = web.form(request)
        values = {key: str(form.get(key) or "") for key in (*forms.RESOURCE_COLUMNS, "shared_with")}
        values["active"] = "yes" if form.get("active") else "no"
        try:
            stored = forms.resource_values(session, values, forms.location_index(session))
            shared_ids = forms.group_ids(session, values["shared_with"], "shared_with")
        except ValidationError as error:
            errors, status = error.errors, 422
        else:
            clash = session.scalar(sa.select(Resource.id).where(
                Resource.location_id == stored["location_id"], sa.func.lower(Resource.name) == stored["name"].lower(),
                Resource.id != (resource.id if resource else 0)))
            if clash is not None:
                errors, status = {"name": [_("This location already has a resource with that name.")]}, 422
            else:
                if resource is None:
                    resource = Resource()
                    session.add(resource)
                for key, value in stored.items():
                    setattr(resource, key, value)
                session.flush()
                photo = web.form(request).get("photo")
                if photo is not None and getattr(photo, "filename", ""):
                    _replace_photo(request, resource, photo)
                share(session, "reservations", "resource", resource.id, shared_ids)
                session.refresh(resource)
                events.index_resource(session, resource)
                web.flash(request, _("Saved %(resource)s.", resource=resource.name))
                return web.redirect(request, "reservations:admin_resource", resource_id=resource.id)
    return web.render(request, "reservations/admin_resource.html", {
        "title": resource.name if resource else _("New resource"), "resource": resource, "values": values,
        "errors": errors, "kinds": KINDS, "access_choices": ACCESS, "facilities": FACILITIES,
        "locations": queries.locations(session),
        "has_kiosk": bool(resource and ical.has_kiosk(session, resource.id)),
        "kiosk_url": getattr(request.state, "new_kiosk_url", "")}, status_code=status)


def _replace_photo(request: Request, resource: Resource, photo: Any) -> None:
    """Store a new photo through the core uploads (checked, re-encoded, stripped) and drop the old one."""
    session = web.db(request)
    stored = content.save_upload(session, web.site(request), photo, web.user(request), "reservations", "resource",
                                 resource.id, images_only=True)
    if resource.photo:
        old = session.get(content.Upload, resource.photo.split("/")[0])
        if old is not None:
            content.delete_upload(session, web.site(request), old)
    resource.photo = f"{stored.id}/{stored.filename}"


def import_csv(request: Request) -> Response:
    """Create or update resources from a CSV file: every row is checked first, and nothing is saved
    when any row is wrong; the page lists each bad row by its line number."""
    session = web.db(request)
    form = web.form(request)
    upload = form.get("file")
    content = ""
    if upload is not None and hasattr(upload, "file"):
        raw = upload.file.read(5 * 1024 * 1024 + 1)
        if len(raw) > 5 * 1024 * 1024:
            return _import_failed(request, _("The file is larger than 5 MB; split it."), [])
        content = raw.decode("utf-8-sig", errors="replace")
    content = content or str(form.get("csv") or "")
    try:
        rows = forms.import_rows(session, content)
    except ValidationError as error:
        return _import_failed(request, str(error), [m for messages in error.errors.values() for m in messages
                                                    if m != str(error)])
    existing = {(r.location_id, r.name.lower()): r for r in session.scalars(sa.select(Resource))}
    created = updated = 0
    for values in rows:
        resource = existing.get((values["location_id"], values["name"].lower()))
        if resource is None:
            resource = Resource()
            session.add(resource)
            created += 1
        else:
            updated += 1
        for key, value in values.items():
            setattr(resource, key, value)
    session.flush()
    for resource in session.scalars(sa.select(Resource)):
        events.index_resource(session, resource)
    web.flash(request, _("Imported: %(created)d new, %(updated)d changed.", created=created, updated=updated))
    return web.redirect(request, "reservations:admin_resources")


def _import_failed(request: Request, message: str, problems: list[str]) -> Response:
    return _list_page(request, message, problems, status=422)
