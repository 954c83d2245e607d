"""Booking a room: the form, the rules that refuse a booking, clashes, series, changing and cancelling."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from organet_plugins.reservations.models import Booking

from organet.testing import db_session

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def bookings(app):
    with db_session(app) as session:
        return list(session.scalars(sa.select(Booking).order_by(Booking.starts_at)))


def test_booking_a_free_room_stores_it_in_utc_and_shows_it_in_the_grid(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna")
    room = make_room(app)
    day = next_weekday()
    client = client_for(app, anna)
    response = client.submit("/reservations/book", booking_form(room, day), follow_redirects=False)
    assert response.status_code == 303
    [made] = bookings(app)
    assert made.starts_at == dt.datetime.combine(day, dt.time(10), tzinfo=AMSTERDAM).astimezone(dt.UTC)
    grid = client.get(f"/reservations/?day={day.isoformat()}")
    assert grid.status_code == 200
    assert "Teamoverleg" in grid.text and "10:00" in grid.text


def test_second_booking_of_the_same_slot_says_who_has_it(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    anna = make_user(app, "anna", given_name="Anna", surname="de Vries")
    bram = make_user(app, "bram")
    room = make_room(app)
    day = next_weekday()
    assert client_for(app, anna).submit("/reservations/book", booking_form(room, day),
                                        follow_redirects=False).status_code == 303
    response = client_for(app, bram).submit("/reservations/book", booking_form(room, day, "10:30", "11:30"))
    assert response.status_code == 409
    assert "already booked by Anna de Vries" in response.text
    assert len(bookings(app)) == 1


def test_touching_bookings_do_not_clash(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    day = next_weekday()
    assert client.submit("/reservations/book", booking_form(room, day, "10:00", "11:00"),
                         follow_redirects=False).status_code == 303
    assert client.submit("/reservations/book", booking_form(room, day, "11:00", "12:00"),
                         follow_redirects=False).status_code == 303


def test_broken_rules_are_named_and_nothing_is_saved(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app, max_minutes=120, horizon_days=30)
    closed = make_room(app, name="Oud", active=False)
    day = next_weekday()
    yesterday = dt.datetime.now(AMSTERDAM).date() - dt.timedelta(days=1)
    saturday = day + dt.timedelta(days=(6 - day.isoweekday()) % 7 or 7)
    cases = [
        (booking_form(room, yesterday), "already passed"),
        (booking_form(room, day, "10:00", "10:00"), "no length"),
        (booking_form(room, day, "09:00", "12:00"), "at most 120 minutes"),
        (booking_form(room, next_weekday(40)), "at most 30 days ahead"),
        (booking_form(room, day, "07:00", "08:30"), "opening hours"),
        (booking_form(room, saturday), "opening hours"),
        (booking_form(closed, day), "not in use"),
    ]
    for form, rule in cases:
        response = client.submit("/reservations/book", form)
        assert response.status_code == 422, rule
        assert rule in response.text, rule
    assert bookings(app) == []


def test_weekly_series_lists_clashes_before_saving_and_books_the_rest_on_request(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    anna, bram = make_user(app, "anna", given_name="Anna", surname="Smit"), make_user(app, "bram")
    room = make_room(app)
    day = next_weekday()
    client_for(app, anna).submit("/reservations/book", booking_form(room, day + dt.timedelta(weeks=2)))
    client = client_for(app, bram)
    series = booking_form(room, day, repeat="weekly", every_weeks="1", until=(day + dt.timedelta(weeks=3)).isoformat())
    first = client.submit("/reservations/book", series)
    assert first.status_code == 409
    assert "1 of 4 dates are already booked" in first.text and "already booked by Anna Smit" in first.text
    assert len(bookings(app)) == 1
    done = client.submit("/reservations/book", {**series, "skip": "2"}, follow_redirects=False)
    assert done.status_code == 303
    made = [b for b in bookings(app) if b.booker_id == bram.id]
    assert len(made) == 3 and len({b.series for b in made}) == 1


def test_every_two_weeks_until_a_date(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    day = next_weekday()
    form = booking_form(room, day, repeat="weekly", every_weeks="2", until=(day + dt.timedelta(weeks=5)).isoformat())
    assert client.submit("/reservations/book", form, follow_redirects=False).status_code == 303
    days = [b.starts_at.astimezone(AMSTERDAM).date() for b in bookings(app)]
    assert days == [day, day + dt.timedelta(weeks=2), day + dt.timedelta(weeks=4)]


def test_series_across_the_change_to_winter_time_keeps_local_hours():
    from organet_plugins.reservations.booking import local_slots

    slots = local_slots(dt.date(2026, 10, 19), dt.time(10), dt.time(11), AMSTERDAM, every_weeks=1,
                        until=dt.date(2026, 11, 2))
    assert [s.starts_at.astimezone(AMSTERDAM).hour for s in slots] == [10, 10, 10]
    assert [s.starts_at.hour for s in slots] == [8, 9, 9]  # clocks go back on 25 October: UTC moves, local stays
    spring = local_slots(dt.date(2027, 3, 22), dt.time(9), dt.time(10), AMSTERDAM, every_weeks=1,
                         until=dt.date(2027, 4, 5))
    assert [s.starts_at.hour for s in spring] == [8, 7, 7]


def test_cancel_one_occurrence_or_the_rest_of_the_series(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    day = next_weekday()
    client.submit("/reservations/book", booking_form(room, day, repeat="weekly", every_weeks="1",
                                                     until=(day + dt.timedelta(weeks=3)).isoformat()))
    first, second, third, fourth = bookings(app)
    assert client.submit(f"/reservations/bookings/{second.id}/cancel", {"scope": "one"},
                         follow_redirects=False).status_code == 303
    assert [b.status for b in bookings(app)] == ["confirmed", "cancelled", "confirmed", "confirmed"]
    client.submit(f"/reservations/bookings/{third.id}/cancel", {"scope": "series"})
    assert [b.status for b in bookings(app)] == ["confirmed", "cancelled", "cancelled", "cancelled"]
    other = client_for(app, make_user(app, "bram"))
    assert other.submit("/reservations/book", booking_form(room, day + dt.timedelta(weeks=1)),
                        follow_redirects=False).status_code == 303


def test_change_one_occurrence_checks_the_new_time(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    anna, bram = make_user(app, "anna"), make_user(app, "bram", given_name="Bram", surname="Jansen")
    room = make_room(app)
    day = next_weekday()
    client_for(app, bram).submit("/reservations/book", booking_form(room, day, "14:00", "15:00"))
    client = client_for(app, anna)
    client.submit("/reservations/book", booking_form(room, day))
    mine = next(b for b in bookings(app) if b.booker_id == anna.id)
    clash = client.submit(f"/reservations/bookings/{mine.id}/edit",
                          {"title": "Later", "day": day.isoformat(), "start": "14:30", "end": "15:30"})
    assert clash.status_code == 409 and "Bram Jansen" in clash.text
    moved = client.submit(f"/reservations/bookings/{mine.id}/edit",
                          {"title": "Later", "day": day.isoformat(), "start": "12:00", "end": "13:00"},
                          follow_redirects=False)
    assert moved.status_code == 303
    changed = next(b for b in bookings(app) if b.id == mine.id)
    assert changed.title == "Later" and changed.starts_at.astimezone(AMSTERDAM).hour == 12


def test_only_booker_person_booked_for_and_admins_change_a_booking(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    anna, bram, carla = make_user(app, "anna"), make_user(app, "bram"), make_user(app, "carla")
    admin = make_user(app, "root", role="admin")
    room = make_room(app)
    day = next_weekday()
    client_for(app, anna).submit("/reservations/book", booking_form(room, day, booked_for="bram"))
    [made] = bookings(app)
    assert made.booked_for_id == bram.id
    assert client_for(app, carla).submit(f"/reservations/bookings/{made.id}/cancel").status_code == 403
    assert client_for(app, bram).submit(f"/reservations/bookings/{made.id}/edit",
                                        {"title": "Van Bram", "day": day.isoformat(), "start": "10:00",
                                         "end": "11:00"}, follow_redirects=False).status_code == 303
    assert client_for(app, admin).submit(f"/reservations/bookings/{made.id}/cancel",
                                         follow_redirects=False).status_code == 303


def test_forged_booking_without_csrf_token_is_refused(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    assert client.post("/reservations/book", data=booking_form(room, next_weekday())).status_code == 403
    assert bookings(app) == []


def test_script_in_a_title_is_shown_as_text(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    day = next_weekday()
    client.submit("/reservations/book", booking_form(room, day, title="<script>alert(1)</script>"))
    page = client.get(f"/reservations/?day={day.isoformat()}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_request_for_an_approval_resource_waits_and_holds_nothing_until_approved(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    boss = make_user(app, "boss")
    anna, bram = make_user(app, "anna"), make_user(app, "bram")
    car = make_room(app, name="Dienstauto", kind="vehicle", access="approval", approver_ids=[boss.id],
                    opens_minute=None, closes_minute=None)
    day = next_weekday()
    client_for(app, anna).submit("/reservations/book", booking_form(car, day))
    [asked] = bookings(app)
    assert asked.status == "pending"
    from organet.notifications import recent

    with db_session(app) as session:
        told = recent(app.state.site, session, boss)
    assert [n.url for n in told] == [f"/reservations/bookings/{asked.id}"]
    assert client_for(app, bram).submit(f"/reservations/bookings/{asked.id}/decide",
                                        {"decision": "approve"}).status_code == 403
    mine = client_for(app, boss).get("/reservations/mine")
    assert "Requests waiting for your approval" in mine.text
    client_for(app, boss).submit(f"/reservations/bookings/{asked.id}/decide", {"decision": "approve"})
    assert bookings(app)[0].status == "confirmed"


def test_groups_only_resource_refuses_others(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    inside = make_user(app, "anna", groups=["wondzorg"])
    outside = make_user(app, "bram")
    with db_session(app) as session:
        from organet.people import Group

        group_id = session.scalar(sa.select(Group.id).where(Group.slug == "wondzorg"))
    room = make_room(app, access="groups", group_ids=[group_id])
    day = next_weekday()
    refused = client_for(app, outside).submit("/reservations/book", booking_form(room, day))
    assert refused.status_code == 403 and "certain groups" in refused.text
    assert client_for(app, inside).submit("/reservations/book", booking_form(room, day),
                                          follow_redirects=False).status_code == 303


def test_external_books_only_what_is_shared_with_them(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    from organet.people import Group, share

    app = make_app(plugins=["reservations"])
    partner = make_user(app, "partner", kind="external", role="external", groups=["thuiszorg-partner"])
    shared, private = make_room(app, name="Gedeeld"), make_room(app, name="Intern")
    with db_session(app) as session:
        group_id = session.scalar(sa.select(Group.id).where(Group.slug == "thuiszorg-partner"))
        share(session, "reservations", "resource", shared, [group_id])
    with db_session(app) as session:  # workers see a new share within seconds; this test does not wait
        app.state.site.state["runtime"].refresh(session, force=True)
    client = client_for(app, partner)
    day = next_weekday()
    assert client.submit("/reservations/book", booking_form(private, day)).status_code == 404
    assert client.submit("/reservations/book", booking_form(shared, day), follow_redirects=False).status_code == 303
    grid = client.get(f"/reservations/?day={day.isoformat()}")
    assert "Gedeeld" in grid.text and "Intern" not in grid.text


def test_find_a_free_room_for_six_with_a_screen(make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    big = make_room(app, name="Groot", capacity=8)
    make_room(app, name="Klein", capacity=4)
    make_room(app, name="Zonder scherm", capacity=10, facilities=[])
    taken = make_room(app, name="Bezet", capacity=8)
    day = next_weekday()
    client.submit("/reservations/book", booking_form(taken, day))
    page = client.get(f"/reservations/find?day={day.isoformat()}&start=10:00&minutes=60&people=6&facility=screen")
    assert page.status_code == 200
    assert "Groot" in page.text
    for absent in ("Klein", "Zonder scherm", "Bezet"):
        assert absent not in page.text
    assert f"resource={big}" in page.text


def test_grid_and_pages_need_the_permission(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    anonymous = client_for(app)
    assert anonymous.get("/reservations/", follow_redirects=False).status_code == 303
    member = client_for(app, make_user(app, "anna"))
    assert member.get("/reservations/admin/").status_code == 403
    assert member.get("/reservations/").status_code == 200


def test_pages_speak_dutch(make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    day = next_weekday()
    client.submit("/reservations/book", booking_form(room, day))
    dutch = {"accept-language": "nl"}
    grid = client.get(f"/reservations/?day={day.isoformat()}", headers=dutch)
    assert "Reserveren" in grid.text and ">vrij<" in grid.text
    taken = client.submit("/reservations/book", booking_form(room, day), headers=dutch)
    assert "is al gereserveerd door" in taken.text


def test_booking_while_the_database_is_locked_answers_busy_not_500(make_app, make_user, client_for, make_room,
                                                                    next_weekday, booking_form, database_kind):
    import sqlite3

    import pytest

    if database_kind != "sqlite":
        pytest.skip("the write lock taken at BEGIN is SQLite's; PostgreSQL waits on the constraint instead")
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna"))
    room = make_room(app)
    holder = sqlite3.connect(app.state.site.db.url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.submit("/reservations/book", booking_form(room, next_weekday()))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert "busy" in response.text.lower()
    assert bookings(app) == []


def test_grid_rows_show_free_hours_as_links_and_booked_hours_as_text(
        make_app, make_user, client_for, make_room, next_weekday, booking_form):
    app = make_app(plugins=["reservations"])
    client = client_for(app, make_user(app, "anna", given_name="Anna", surname="Smit"))
    busy = make_room(app, name="Kamer <b>Bezet</b>")
    free = make_room(app, name="Kamer Vrij")
    day = next_weekday()
    client.submit("/reservations/book", booking_form(busy, day, "10:00", "12:00", title="<i>Overleg</i>"))
    grid = client.get(f"/reservations/?day={day.isoformat()}").text
    free_row = grid[grid.index("Kamer Vrij"):].split("</tr>")[0]
    busy_row = grid[grid.index("Kamer &lt;b&gt;Bezet&lt;/b&gt;"):].split("</tr>")[0]
    # The free room: "free all day" and a booking link for each hour from 07:00 to 19:00.
    assert "res-allday" in free_row
    assert [f"hour={hour}&amp;resource={free}\"" in free_row for hour in range(7, 20)] == [True] * 13
    # The booked room: its booking as text from 10:00, "booked" at 11:00, links for the other hours.
    assert "10:00–12:00 &lt;i&gt;Overleg&lt;/i&gt; (Anna Smit)" in busy_row
    assert "res-allday" not in busy_row and "res-more" in busy_row
    assert f"hour=10&amp;resource={busy}\"" not in busy_row and f"hour=11&amp;resource={busy}\"" not in busy_row
    assert f"hour=9&amp;resource={busy}\"" in busy_row and f"hour=12&amp;resource={busy}\"" in busy_row
