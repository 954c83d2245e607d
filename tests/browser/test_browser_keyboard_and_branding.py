"""With the keyboard alone: skip link, sign-in, language switch; and an admin's colours in the page."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def test_keyboard_alone_skips_to_content_signs_in_and_switches_language(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "anna", password=PASSWORD, given_name="Anna")
    base = live_url(app)
    page.goto(base + "/login")
    assert page.evaluate("document.activeElement.id") == "login"  # the field has autofocus
    page.keyboard.type("anna")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Anna"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.locator("#language-choice").focus()
    page.keyboard.press("ArrowUp")  # English is below Nederlands: one up chooses Dutch
    page.keyboard.press("Tab")
    with page.expect_navigation():  # a key press does not wait for the navigation it starts
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Welkom, Anna"
    assert page.evaluate("document.documentElement.lang") == "nl"


def test_admin_colours_reach_the_header(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "root", password=PASSWORD, role="admin")
    base = live_url(app)
    from organet.testing import sign_in_page

    sign_in_page(page, base, "root", PASSWORD)
    page.goto(base + "/admin/branding")
    page.get_by_label("Site name").fill("Zorggroep Rivierenland")
    page.locator("#branding-brand_colour").fill("#22543d")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    header = page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(34, 84, 61)"
    assert page.locator(".site-name").inner_text() == "Zorggroep Rivierenland"
