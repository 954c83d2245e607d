"""Every main page of a site with all installed plugins and demo data, as an admin: no serious or critical
axe-core (WCAG 2.1 A/AA) violations, and no sideways scrolling at 375 px.

One demo site (``organet demo``'s builder: the organisation plus each plugin's ``load_demo_data``) and one
live server serve the whole module; each page is its own test, so a report names the page that fails.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from organet import demo
from organet.app import create_app
from organet.testing import OrganetClient, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

# (name, path) or (name, (a list page, a CSS selector of the link on it to follow)).
PAGES = [
    ("dashboard", "/"),
    ("people", "/people/"),
    ("profile", ("/people/", "main a[href^='/people/']:not([href$='/admin'])")),
    ("groups", "/groups/"),
    ("group", ("/groups/", "main a[href^='/groups/']")),
    ("search", "/search?q=zorg"),
    ("notifications", "/notifications"),
    ("admin", "/admin/"),
    ("admin-plugins", "/admin/plugins"),
    ("admin-people", "/admin/people/"),
    ("admin-groups", "/admin/groups/"),
    ("admin-roles", "/admin/roles"),
    ("admin-moderation", "/admin/moderation"),
    ("admin-audit", "/admin/audit"),
    ("admin-branding", "/admin/branding"),
    ("admin-jobs", "/admin/jobs"),
    ("admin-adoption", "/admin/adoption"),
    ("phonebook-admin", "/phonebook/admin"),
    ("bulletin-categories", "/bulletin/admin/categories"),
    ("reservations-admin", "/reservations/admin/"),
    ("phonebook", "/phonebook/"),
    ("phonebook-search", "/phonebook/?q=de"),
    ("phonebook-person", ("/", "a[href^='/phonebook/people/']")),
    ("bulletin", "/bulletin/"),
    ("bulletin-notice", ("/bulletin/", "main a[href^='/bulletin/posts/']")),
    ("bulletin-new", "/bulletin/new"),
    ("reservations", "/reservations/"),
    ("reservations-book", ("/reservations/", "td.res-free a")),
    ("reservations-mine", "/reservations/mine"),
    ("account-security", "/account/security"),
    ("kudos", "/kudos/"),
]


def serious_violations(page):
    """Run axe-core in the page and return its serious and critical WCAG 2.1 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    return [(v["id"], [n["target"] for n in v["nodes"]][:5])
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, browser):
    """The demo site served on a loopback port, and the admin's signed-in cookies."""
    from organet.browser import live_server

    built = demo.build(tmp_path_factory.mktemp("a11y") / "site", people=40, say=lambda _message: None)
    assert built.problems == {}
    app = create_app(built.config_path)
    with OrganetClient(app), live_server(app) as base:  # the client runs the app's lifespan (start-up hooks)
        context = browser.new_context()
        signing_in = context.new_page()
        sign_in_page(signing_in, base, "admin", demo.PASSWORD)
        cookies = context.cookies()
        context.close()
        yield base, cookies


@pytest.mark.parametrize(("name", "where"), PAGES, ids=[name for name, _ in PAGES])
def test_main_page_is_accessible_and_fits_a_phone(demo_site, page, name, where):
    base, cookies = demo_site
    page.context.add_cookies(cookies)
    if isinstance(where, tuple):
        listing, selector = where
        page.goto(base + listing)
        href = page.locator(selector).first.get_attribute("href")
        assert href, f"no link {selector!r} on {listing}"
        where = urljoin(page.url, href).removeprefix(base)
    response = page.goto(base + where)
    assert response.status == 200, f"{where} answered {response.status}"
    assert "/login" not in page.url
    assert serious_violations(page) == [], where
    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at 375 px"
