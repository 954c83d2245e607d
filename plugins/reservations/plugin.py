"""The reservations plugin's hook implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from organet import (
    PUBLIC,
    AdminPage,
    ApiRoute,
    FormSpec,
    Job,
    NavEntry,
    Page,
    Permission,
    Setting,
    Widget,
    hookimpl,
)
from organet.i18n import N_

from . import admin, api, demo, hostile, ical, jobs, privacy, views, widgets
from .access import MANAGE
from .models import MODELS

BOOK = "book-resources"


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("grid_start_hour", int, 7, "First hour shown in the day grid (local time).", example=8,
                runtime=True, minimum=0, maximum=23),
        Setting("grid_end_hour", int, 20, "Hour the day grid ends (local time).", example=18, runtime=True,
                minimum=1, maximum=24),
        Setting("release_unchecked", bool, False, "Free bookings nobody checked in to within "
                "release_after_minutes of their start.", example=True, runtime=True),
        Setting("release_after_minutes", int, 15, "Minutes after the start before an unchecked booking is freed.",
                example=15, runtime=True, minimum=5, maximum=240),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(BOOK, N_("Book rooms and resources (externals: only those shared with them)"),
                   default_roles=("admin", "editor", "member", "external")),
        Permission(MANAGE, N_("Manage resources, kiosk screens and everyone's bookings"), default_roles=("admin",)),
    ]


@hookimpl
def register_models() -> list[Any]:
    return MODELS


@hookimpl
def register_routes() -> list[Page]:
    post = ("POST",)
    return [
        Page("/", views.grid, name="grid", permission=BOOK),
        Page("/find", views.find, name="find", permission=BOOK),
        Page("/book", views.book, name="book", permission=BOOK, methods=("GET", "POST"), write=True),
        Page("/mine", views.mine, name="mine", permission=BOOK),
        Page("/mine/feed", ical.feed_token, name="feed_token", permission=BOOK, methods=post),
        Page("/resources/{resource_id:int}", views.resource_page, name="resource", permission=BOOK),
        Page("/bookings/{booking_id:int}", views.booking_page, name="booking", permission=BOOK),
        Page("/bookings/{booking_id:int}.ics", ical.booking_ics, name="booking_ics", permission=BOOK),
        Page("/bookings/{booking_id:int}/edit", views.edit, name="edit", permission=BOOK, methods=("GET", "POST"),
             write=True),
        Page("/bookings/{booking_id:int}/cancel", views.cancel, name="cancel", permission=BOOK, methods=post),
        Page("/bookings/{booking_id:int}/decide", views.decide, name="decide", permission=BOOK, methods=post,
             write=True),
        Page("/bookings/{booking_id:int}/check-in", views.check_in, name="check_in", permission=BOOK, methods=post),
        Page("/feeds/{token}/mine.ics", ical.person_feed, name="person_feed", permission=PUBLIC),
        Page("/feeds/{token}/resources/{resource_id:int}.ics", ical.resource_feed, name="resource_feed",
             permission=PUBLIC),
        Page("/kiosk/{token}", ical.kiosk, name="kiosk", permission=PUBLIC, embeddable=True),
        Page("/admin/", admin.resources, name="admin_resources", permission=MANAGE),
        Page("/admin/new", admin.resource_form, name="admin_new", permission=MANAGE, methods=("GET", "POST")),
        Page("/admin/import", admin.import_csv, name="admin_import", permission=MANAGE, methods=post),
        Page("/admin/{resource_id:int}", admin.resource_form, name="admin_resource", permission=MANAGE,
             methods=("GET", "POST")),
        Page("/admin/{resource_id:int}/kiosk", ical.kiosk_token, name="admin_kiosk", permission=MANAGE,
             methods=post),
    ]


@hookimpl
def register_api_routes() -> list[ApiRoute]:
    return [
        ApiRoute("/resources", api.list_resources, name="resources", permission=BOOK, paginated=True,
                 summary="Resources the caller may book", query_params=("location",)),
        ApiRoute("/free", api.free, name="free", permission=BOOK, summary="Resources free in a time range",
                 query_params=("start", "end", "people", "facility", "location")),
        ApiRoute("/bookings", api.create_booking, name="bookings", permission=BOOK, methods=("POST",),
                 request_model=api.BookingIn, summary="Book a resource: 201, or 409 when already booked",
                 write=True),
        ApiRoute("/bookings/{booking_id:int}", api.cancel_booking, name="booking", permission=BOOK,
                 methods=("DELETE",), summary="Cancel a booking (scope=series for the rest of its series)",
                 query_params=("scope",)),
    ]


@hookimpl
def register_navigation() -> list[NavEntry]:
    return [NavEntry(N_("Reservations"), "reservations:grid", permission=BOOK, order=40)]


@hookimpl
def register_widgets() -> list[Widget]:
    return [Widget("my-bookings", N_("My bookings"), widgets.my_bookings, permission=BOOK, order=40)]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Resources"), "reservations:admin_resources", permission=MANAGE, order=40)]


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("reservations.release", jobs.release_unchecked, every=dt.timedelta(minutes=5),
                description="Free bookings nobody checked in to (when the release setting is on)")]


@hookimpl
def register_forms() -> list[FormSpec]:
    return hostile.forms()


@hookimpl(optionalhook=True)
def register_search_sources() -> list[Any]:
    return jobs.search_sources()


@hookimpl
def object_visible_to(user: Any, session: Any, plugin: str, kind: str, object_id: str) -> bool | None:
    if plugin != "reservations":
        return None
    return privacy.visible(session, user, kind, object_id)


@hookimpl
def load_demo_data(session: Any, people: list[Any], rng: Any) -> None:
    demo.load(session, people, rng)


@hookimpl
def export_person_data(session: Any, person: Any) -> dict[str, Any]:
    return privacy.export(session, person)


@hookimpl
def on_person_erased(session: Any, person: Any) -> None:
    privacy.erase(session, person)
