"""The phonebook in a browser: find a colleague by part of the name, open their page, edit one's own profile."""

from __future__ import annotations

import pytest

from organet.testing import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def test_find_a_colleague_by_part_of_the_name_and_edit_ones_own_profile(phonebook, make_user, give_profile,
                                                                         live_url, page):
    anna = make_user(phonebook, "anna", password=PASSWORD, given_name="Anna", surname="de Vries")
    give_profile(phonebook, anna)
    piet = make_user(phonebook, "piet", given_name="Pieter", surname="Jansen")
    give_profile(phonebook, piet, job_title="Wijkverpleegkundige", work_phone="030 123 45 67")
    base = live_url(phonebook)
    sign_in_page(page, base, "anna", PASSWORD)
    page.goto(base + "/phonebook/")
    page.get_by_label("Name, job title, department, expertise or part of a phone number").fill("jans")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Pieter Jansen").first.click()
    page.wait_for_load_state()
    assert "Wijkverpleegkundige" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Edit profile").count() == 0

    page.goto(base + "/phonebook/people/anna")
    page.get_by_role("link", name="Edit profile").click()
    page.wait_for_load_state()
    page.get_by_label("Room").fill("C2.01")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()
    assert "/phonebook/people/anna" in page.url
    assert "C2.01" in page.locator("main").inner_text()
