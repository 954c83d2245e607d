"""Browser flows of search: results as you type in the header, keyboard choice, and the results page."""

from __future__ import annotations

import pytest

from organet.search import SearchDocument, index
from organet.testing import db_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def test_search_as_you_type_offers_only_what_one_may_see(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "anna", password=PASSWORD)
    bram = make_user(app, "bram")
    with db_session(app) as session:
        index(session, SearchDocument(plugin="search", kind="note", object_id="1", title="Roosterwijziging december",
                                      url="/healthz"))
        index(session, SearchDocument(plugin="search", kind="note", object_id="2", title="Roosterplanning privé",
                                      url="/healthz", visibility="owner", owner_id=bram.id))
    base = live_url(app)
    sign_in_page(page, base, "anna", PASSWORD)
    box = page.get_by_role("combobox", name="Search")
    box.fill("rooster")
    suggestions = page.get_by_role("listbox").get_by_role("option")
    suggestions.first.wait_for()
    assert suggestions.all_inner_texts() == ["Roosterwijziging december · note"]
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/healthz")


def test_search_form_works_without_script(make_app, make_user, live_url, browser):
    app = make_app()
    make_user(app, "anna", password=PASSWORD)
    with db_session(app) as session:
        index(session, SearchDocument(plugin="search", kind="note", object_id="1", title="Wondzorg protocol",
                                      text="<script>window.hacked = 1</script> verband", url="/healthz"))
    base = live_url(app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_page(page, base, "anna", PASSWORD)
    page.get_by_role("searchbox", name="Search").first.fill("verband")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_load_state()
    assert "/search?q=verband" in page.url
    assert page.get_by_role("link", name="Wondzorg protocol").count() == 1
    assert "<script>window.hacked = 1</script>" in page.locator("main").inner_text()
    context.close()
