"""The employee's flow in a browser: find a room for six with a screen, book it weekly with one clash,
cancel one date; the grid by keyboard; no serious accessibility violations; readable at 375 px."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from organet_plugins.reservations.models import Booking

from organet.testing import db_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    return [(v["id"], [n["target"] for n in v["nodes"]][:5])
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def test_find_book_weekly_with_a_clash_and_cancel_one_date(make_app, make_user, live_url, page, make_room,
                                                           next_weekday, client_for, booking_form):
    app = make_app(plugins=["reservations"])
    make_user(app, "anna", password=PASSWORD)
    bram = make_user(app, "bram", given_name="Bram", surname="Jansen")
    room = make_room(app, name="Overlegkamer Zon", capacity=8)
    make_room(app, name="Hok", capacity=2)
    day = next_weekday()
    client_for(app, bram).submit("/reservations/book", booking_form(room, day + dt.timedelta(weeks=2)))
    base = live_url(app)
    sign_in_page(page, base, "anna", PASSWORD)
    page.goto(f"{base}/reservations/find")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("People").fill("6")
    page.get_by_label("With").select_option("screen")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_load_state()
    assert "Hok" not in page.locator("main").inner_text()
    page.get_by_role("link", name="Book Overlegkamer Zon (Delft)").click()
    page.wait_for_load_state()
    page.get_by_label("Title").fill("Werkoverleg")
    page.get_by_label("Weekly").check()
    page.get_by_label("Until (last date)").fill((day + dt.timedelta(weeks=3)).isoformat())
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_load_state()
    assert "already booked by Bram Jansen" in page.locator("main").inner_text()
    page.get_by_role("button", name="Book the other dates").click()
    page.wait_for_load_state()
    assert "Booked: 3 time(s)." in page.locator("main").inner_text()
    page.get_by_role("button", name="Cancel this date").click()
    page.wait_for_load_state()
    with db_session(app) as session:
        statuses = list(session.scalars(sa.select(Booking.status).where(Booking.title == "Werkoverleg")
                                        .order_by(Booking.starts_at)))
    assert statuses == ["cancelled", "confirmed", "confirmed"]


def test_grid_by_keyboard_accessible_and_readable_on_a_phone(make_app, make_user, live_url, browser, make_room,
                                                             next_weekday):
    app = make_app(plugins=["reservations"])
    make_user(app, "anna", password=PASSWORD)
    make_room(app, name="Overlegkamer Zon")
    day = next_weekday()
    base = live_url(app)
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in_page(page, base, "anna", PASSWORD)
        page.goto(f"{base}/reservations/?day={day.isoformat()}")
        assert serious_violations(page) == []
        with page.expect_navigation():
            if width == 375:
                assert page.evaluate("document.documentElement.scrollWidth") <= 375
                page.get_by_role("link", name="Book", exact=True).click()
            else:
                page.locator("td.res-free a").first.focus()
                page.keyboard.press("Enter")
        assert "/reservations/book" in page.url
        context.close()
