"""Calendars and screens: the personal iCal feed, a resource's feed, one booking's .ics, the kiosk page."""

from __future__ import annotations

import re

import icalendar
from organet_plugins.reservations.models import Booking

from organet.testing import db_session


def feed_url(client) -> str:
    page = client.submit("/reservations/mine/feed", {"action": "new"})
    assert page.status_code == 200
    found = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', page.text)
    assert found, "the new address is shown once"
    return found.group(1).replace("http://testserver", "")


def test_personal_feed_validates_and_stops_when_revoked(make_app, make_user, client_for, make_room, next_weekday,
                                                        booking_form):
    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna")
    client = client_for(app, anna)
    room = make_room(app)
    day = next_weekday()
    client.submit("/reservations/book", booking_form(room, day, title="Overleg; met, komma's"))
    url = feed_url(client)
    anonymous = client_for(app)
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Overleg; met, komma's"
    assert event.decoded("DTSTART").hour in (9, 10)  # 10:00 Amsterdam, in UTC
    assert "Overlegkamer 1" in str(event["LOCATION"])
    client.submit("/reservations/mine/feed", {"action": "revoke"})
    assert anonymous.get(url).status_code == 404


def test_new_feed_address_replaces_the_old_one(make_app, make_user, client_for):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    first = feed_url(client)
    second = feed_url(client)
    assert first != second
    assert client_for(app).get(first).status_code == 404
    assert client_for(app).get(second).status_code == 200


def test_resource_feed_and_one_booking_ics(make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    client.submit("/reservations/book", booking_form(room, next_weekday(), title="MDO"))
    token = feed_url(client).split("/")[3]
    feed = client_for(app).get(f"/reservations/feeds/{token}/resources/{room}.ics")
    assert feed.status_code == 200
    assert [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")] == ["MDO"]
    with db_session(app) as session:
        booking_id = session.query(Booking.id).scalar()
    one = client.get(f"/reservations/bookings/{booking_id}.ics")
    assert one.status_code == 200
    assert len(icalendar.Calendar.from_ical(one.content).walk("VEVENT")) == 1
    assert client_for(app).get("/reservations/feeds/not-a-token/mine.ics").status_code == 404


def test_kiosk_page_shows_today_by_an_unguessable_revocable_address(make_app, make_user, client_for, make_room):
    app = make_app(plugins=["reservations"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    room = make_room(app, name="Spreekkamer A")
    page = admin.submit(f"/reservations/admin/{room}/kiosk", {"action": "new"})
    found = re.search(r'id="kiosk-url" type="text" readonly size="60" value="([^"]+)"', page.text)
    assert found
    url = found.group(1).replace("http://testserver", "")
    assert len(url.rsplit("/", 1)[1]) >= 40
    screen = client_for(app).get(url)
    assert screen.status_code == 200
    assert "Spreekkamer A" in screen.text
    assert "frame-ancestors 'none'" not in screen.headers.get("content-security-policy", "")
    member = client_for(app, make_user(app, "anna"))
    assert member.submit(f"/reservations/admin/{room}/kiosk", {"action": "new"}).status_code == 403
    admin.submit(f"/reservations/admin/{room}/kiosk", {"action": "revoke"})
    assert client_for(app).get(url).status_code == 404


def test_my_bookings_widget_on_the_dashboard(make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    client.submit("/reservations/book", booking_form(room, next_weekday(), title="Intervisie"))
    home = client.get("/")
    assert "My bookings" in home.text and "Intervisie" in home.text
