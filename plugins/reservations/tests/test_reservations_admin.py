"""Managing resources: the form, the CSV import (all rows or nothing), and the database's own guard."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from organet_plugins.reservations.models import Booking, Resource

from organet.people import Group
from organet.testing import db_session


def add_location(app, slug="loc-delft", name="Delft"):
    with db_session(app) as session:
        session.add(Group(slug=slug, name=name, kind="location"))


def resources(app):
    with db_session(app) as session:
        return list(session.scalars(sa.select(Resource).order_by(Resource.name)))


GOOD = """location,name,kind,capacity,facilities,opens,closes,days,access
loc-delft,Overlegkamer 3,room,6,screen;whiteboard,08:00,18:00,12345,everyone
Delft,Beamer,equipment,1,,,,1234567,everyone
"""


def test_csv_import_creates_and_updates_resources(make_app, make_user, client_for):
    app = make_app(plugins=["reservations"])
    add_location(app)
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.submit("/reservations/admin/import", {"csv": GOOD}, follow_redirects=False).status_code == 303
    rooms = resources(app)
    assert [r.name for r in rooms] == ["Beamer", "Overlegkamer 3"]
    assert rooms[1].facilities == ["screen", "whiteboard"] and rooms[1].opens_minute == 8 * 60
    assert rooms[0].opens_minute is None
    admin.submit("/reservations/admin/import", {"csv": GOOD.replace(",6,", ",10,")})
    assert [r.capacity for r in resources(app)] == [1, 10]


def test_csv_import_with_a_bad_row_saves_nothing_and_names_the_lines(make_app, make_user, client_for):
    app = make_app(plugins=["reservations"])
    add_location(app)
    admin = client_for(app, make_user(app, "root", role="admin"))
    bad = GOOD + "loc-nowhere,Kamer,room,6,,,,,\nloc-delft,Kamer 9,room,many,,09:00,08:00,,\n"
    response = admin.submit("/reservations/admin/import", {"csv": bad})
    assert response.status_code == 422
    assert "Line 4, location" in response.text
    assert "Line 5, capacity" in response.text and "Line 5, closes" in response.text
    assert resources(app) == []


def test_csv_import_as_an_uploaded_file(make_app, make_user, client_for):
    app = make_app(plugins=["reservations"])
    add_location(app)
    admin = client_for(app, make_user(app, "root", role="admin"))
    response = admin.post("/reservations/admin/import", data={"csrf_token": admin.csrf},
                          files={"file": ("rooms.csv", GOOD.encode(), "text/csv")}, follow_redirects=False)
    assert response.status_code == 303
    assert len(resources(app)) == 2


def test_admin_form_adds_a_resource_and_refuses_bad_values(make_app, make_user, client_for):
    app = make_app(plugins=["reservations"])
    add_location(app)
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.get("/reservations/admin/new").status_code == 200
    form = {"name": "Stilteruimte", "location": "loc-delft", "kind": "room", "capacity": "2", "opens": "08:00",
            "closes": "17:00", "days": "12345", "access": "approval", "approvers": "", "max_minutes": "60",
            "horizon_days": "30", "active": "yes"}
    refused = admin.submit("/reservations/admin/new", form)
    assert refused.status_code == 422 and "Name at least one approver" in refused.text
    assert admin.submit("/reservations/admin/new", {**form, "approvers": "root"},
                        follow_redirects=False).status_code == 303
    [room] = resources(app)
    assert room.access == "approval" and room.max_minutes == 60
    member = client_for(app, make_user(app, "anna"))
    assert member.submit("/reservations/admin/new", form).status_code == 403


def test_database_refuses_overlapping_confirmed_bookings_but_not_waiting_requests(make_app, make_user, make_room):
    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna")
    room = make_room(app)
    start = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    row = {"resource_id": room, "title": "x", "booker_id": anna.id}
    with db_session(app) as session:
        session.add(Booking(starts_at=start, ends_at=start + dt.timedelta(hours=1), **row))
    with pytest.raises(sa.exc.IntegrityError), db_session(app) as session:
        session.add(Booking(starts_at=start + dt.timedelta(minutes=30), ends_at=start + dt.timedelta(hours=2), **row))
    with db_session(app) as session:
        session.add(Booking(starts_at=start, ends_at=start + dt.timedelta(hours=1), status="pending", **row))
        session.add(Booking(starts_at=start + dt.timedelta(hours=1), ends_at=start + dt.timedelta(hours=2), **row))
    with pytest.raises(sa.exc.IntegrityError), db_session(app) as session:
        waiting = session.scalar(sa.select(Booking).where(Booking.status == "pending"))
        waiting.status = "confirmed"


def test_release_job_frees_bookings_nobody_checked_in_to(make_app, make_user, make_room):
    from organet_plugins.reservations.jobs import release_unchecked

    app = make_app(plugins=["reservations"], plugin_settings={"reservations": {"release_unchecked": True}})
    anna = make_user(app, "anna")
    room = make_room(app)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db_session(app) as session:
        session.add(Booking(resource_id=room, title="vergeten", booker_id=anna.id,
                            starts_at=now - dt.timedelta(minutes=20), ends_at=now + dt.timedelta(minutes=40)))
        session.add(Booking(resource_id=room, title="gebruikt", booker_id=anna.id, checked_in_at=now,
                            starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=2, minutes=30)))

    class Context:
        site = app.state.site

        def __init__(self, session):
            self.session, self.now = session, now

        def setting(self, plugin, key):
            return self.site.setting(plugin, key)

    with db_session(app) as session:
        release_unchecked(Context(session))
    with db_session(app) as session:
        statuses = dict(session.execute(sa.select(Booking.title, Booking.status)).all())
    assert statuses == {"vergeten": "released", "gebruikt": "confirmed"}


def test_demo_data_and_privacy_hooks(make_app, make_user):
    import random

    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna")
    site = app.state.site
    with db_session(app) as session:
        site.hook.load_demo_data(session=session, people=[anna], rng=random.Random(1))
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Resource)) >= 7
        exported = [r for r in site.hook.export_person_data(session=session, person=anna) if r]
        assert any("bookings" in part for part in exported)
        site.hook.on_person_erased(session=session, person=anna)
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Booking).where(Booking.booker_id == anna.id)) == 0


def test_admin_shares_a_resource_with_an_external_group(make_app, make_user, client_for):
    from organet.people import shared_with

    app = make_app(plugins=["reservations"])
    add_location(app)
    partner = make_user(app, "partner", kind="external", role="external", groups=["thuiszorg"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    form = {"name": "Gedeeld", "location": "loc-delft", "kind": "room", "capacity": "4", "days": "12345",
            "access": "everyone", "max_minutes": "60", "horizon_days": "30", "active": "yes",
            "shared_with": "thuiszorg"}
    assert admin.submit("/reservations/admin/new", {**form, "shared_with": "nobody"}).status_code == 422
    assert admin.submit("/reservations/admin/new", form, follow_redirects=False).status_code == 303
    [room] = resources(app)
    with db_session(app) as session:
        assert shared_with(session, partner, "reservations", "resource", room.id)


def test_resources_are_found_in_the_core_search(make_app, make_user, client_for):
    app = make_app(plugins=["reservations"])
    add_location(app)
    admin = client_for(app, make_user(app, "root", role="admin"))
    admin.submit("/reservations/admin/import", {"csv": GOOD})
    found = client_for(app, make_user(app, "anna")).get("/search?q=Overlegkamer")
    assert found.status_code == 200 and "/reservations/resources/" in found.text


def test_resource_photo_is_uploaded_and_shown_to_those_who_may_see_it(make_app, make_user, client_for):
    import io

    from PIL import Image

    app = make_app(plugins=["reservations"])
    add_location(app)
    admin = client_for(app, make_user(app, "root", role="admin"))
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(picture, "PNG")
    form = {"name": "Met foto", "location": "loc-delft", "kind": "room", "capacity": "4", "days": "12345",
            "access": "everyone", "max_minutes": "60", "horizon_days": "30", "active": "yes", "csrf_token": admin.csrf}
    saved = admin.post("/reservations/admin/new", data=form, files={"photo": ("kamer.png", picture.getvalue(),
                                                                               "image/png")}, follow_redirects=False)
    assert saved.status_code == 303
    [room] = resources(app)
    assert room.photo
    member = client_for(app, make_user(app, "anna"))
    upload_id, name = room.photo.split("/")
    url = f"/media/{upload_id}/thumbnail/{name}"
    assert url in member.get(f"/reservations/resources/{room.id}").text
    assert member.get(url).status_code == 200
    partner = client_for(app, make_user(app, "partner", kind="external", role="external", groups=["elders"]))
    assert partner.get(url).status_code in (403, 404)


def test_admin_list_counts_bookings_per_resource_and_location(make_app, make_user, client_for, make_room):
    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna")
    room = make_room(app, name="Telkamer")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db_session(app) as session:
        for days in (1, 2, 40):
            starts = now - dt.timedelta(days=days)
            session.add(Booking(resource_id=room, title="x", booker_id=anna.id, starts_at=starts,
                                ends_at=starts + dt.timedelta(hours=1)))
    page = client_for(app, make_user(app, "root", role="admin")).get("/reservations/admin/")
    assert "<td>2</td>" in page.text and "Delft: 2" in page.text
