"""Browser flows of the page shell: sign in and out, the dashboard, language, phone width, pilots, accessibility."""

from __future__ import annotations

import pytest

from organet.testing import db_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def serious_violations(page):
    """Run axe-core in the page and return its serious and critical WCAG 2.1 AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    return [(v["id"], [n["target"] for n in v["nodes"]][:5])
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def test_sign_in_and_out_in_a_browser(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "anna", password=PASSWORD, given_name="Anna")
    base = live_url(app)
    sign_in_page(page, base, "anna", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/login" in page.url
    page.goto(base + "/")
    assert "/login" in page.url


def test_dashboard_and_login_have_no_serious_accessibility_violations(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "anna", password=PASSWORD)
    base = live_url(app)
    page.goto(base + "/login")
    assert serious_violations(page) == []
    sign_in_page(page, base, "anna", PASSWORD)
    assert serious_violations(page) == []


def test_switching_language_to_dutch(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "anna", password=PASSWORD)
    base = live_url(app)
    sign_in_page(page, base, "anna", PASSWORD)
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"


def test_pages_fit_a_phone_without_horizontal_scrolling(make_app, make_user, live_url, browser):
    app = make_app()
    make_user(app, "root", password=PASSWORD, role="admin")
    base = live_url(app)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    phone = context.new_page()
    try:
        sign_in_page(phone, base, "root", PASSWORD)
        for path in ("/", "/admin/", "/admin/plugins"):
            phone.goto(base + path)
            overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    finally:
        context.close()


def test_admin_pilots_a_plugin_for_one_department(make_app, make_user, live_url, page):
    from organet.core.models import Audience
    from organet.people.models import Group

    app = make_app(plugins=["phonebook"])
    make_user(app, "root", password=PASSWORD, role="admin", groups=["wondzorg"])
    make_user(app, "anna", groups=["ict"])
    base = live_url(app)
    sign_in_page(page, base, "root", PASSWORD)
    page.goto(base + "/admin/plugins/phonebook")
    page.get_by_label("Pilot groups").select_option(label="Wondzorg (department)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    with db_session(app) as session:
        groups = {g.id: g.slug for g in session.query(Group)}
        assert [groups[a.group_id] for a in session.query(Audience)] == ["wondzorg"]
