"""Browser flows of the person picker: suggestions as you type, keyboard only, and without script."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from organet.people.models import Group, Membership, User
from organet.testing import db_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def _members(app):
    with db_session(app) as session:
        return set(session.scalars(sa.select(User.username).join(Membership, Membership.user_id == User.id)
                                   .join(Group, Group.id == Membership.group_id).where(Group.slug == "wondzorg")))


def test_picker_suggests_people_and_adds_one_with_the_keyboard(make_app, make_user, live_url, page):
    app = make_app()
    make_user(app, "root", role="admin", password=PASSWORD, groups=["wondzorg"])
    make_user(app, "aberg", given_name="Anna", tussenvoegsel="van den", surname="Berg")
    make_user(app, "pjansen", given_name="Piet", surname="Jansen")
    base = live_url(app)
    sign_in_page(page, base, "root", PASSWORD)
    page.goto(f"{base}/admin/groups/wondzorg")
    field = page.get_by_label("Person", exact=True)
    field.focus()
    page.keyboard.type("berg")
    options = page.locator("#picker-person-options option")
    options.first.wait_for(state="attached")
    assert options.evaluate_all("els => els.map(e => e.value)") == ["aberg"]
    assert "Anna van den Berg" in options.first.get_attribute("label")
    field.fill("aberg")
    with page.expect_navigation():  # a key press does not wait for the navigation it starts
        field.press("Enter")
    assert "aberg" in _members(app)


def test_picker_is_a_plain_username_field_without_script(make_app, make_user, live_url, browser):
    app = make_app()
    make_user(app, "root", role="admin", password=PASSWORD, groups=["wondzorg"])
    make_user(app, "pjansen", given_name="Piet", surname="Jansen")
    base = live_url(app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_page(page, base, "root", PASSWORD)
    page.goto(f"{base}/admin/groups/wondzorg")
    page.get_by_label("Person", exact=True).fill("pjansen")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_load_state()
    assert "pjansen" in _members(app)
    context.close()
