"""The directory: search by name parts, job title, department, expertise and phone fragments; A–Z; new colleagues."""

from __future__ import annotations

import pytest


def test_berg_finds_van_den_berg_by_surname_prefix_and_joined_name(phonebook, make_user, client_for, give_profile):
    anna = make_user(phonebook, "anna", given_name="Anna", tussenvoegsel="van den", surname="Berg")
    give_profile(phonebook, anna)
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    for query in ("berg", "Ber", "vandenberg", "anna berg", "BÉRG"):
        response = client.get("/phonebook/", params={"q": query})
        assert response.status_code == 200
        assert "Anna van den Berg" in response.text, query
    assert "Anna van den Berg" not in client.get("/phonebook/", params={"q": "bergen"}).text


def test_search_by_job_title_department_and_expertise(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    give_profile(phonebook, piet, job_title="Wijkverpleegkundige", expertise=["Palliatieve zorg"])
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    for query in ("wijkverpl", "wondz", "palliat", "zorg"):
        assert "Piet Jansen" in client.get("/phonebook/", params={"q": query}).text, query


def test_any_part_of_a_phone_number_finds_the_person(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    give_profile(phonebook, piet, work_phone="030 123 45 67", extension="4321")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    for query in ("4567", "0301234567", "12345", "4321", "030 123"):
        response = client.get("/phonebook/", params={"q": query})
        assert "Piet Jansen" in response.text, query
        assert 'href="tel:0301234567"' in response.text
    assert "Piet Jansen" not in client.get("/phonebook/", params={"q": "9999"}).text


def test_a_number_only_the_person_may_see_does_not_find_them(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    give_profile(phonebook, piet, mobile="06 11 22 33 44")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    # The mobile number is visible to the person's own groups only (the default), so nobody finds by it.
    response = client.get("/phonebook/", params={"q": "11223344"})
    assert "Piet Jansen" not in response.text
    assert "06 11 22 33 44" not in response.text


def test_filter_by_department_and_expertise(phonebook, make_user, client_for, give_profile):
    ann = make_user(phonebook, "ann", given_name="Ann", surname="Smit", groups=["wondzorg"])
    bob = make_user(phonebook, "bob", given_name="Bob", surname="Smit", groups=["ict"])
    give_profile(phonebook, ann, expertise=["Diabetes"])
    give_profile(phonebook, bob, expertise=["Privacy"])
    from organet.people import Group
    from organet.testing import db_session

    with db_session(phonebook) as session:
        ict = session.query(Group).filter_by(slug="ict").one().id
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    by_group = client.get("/phonebook/", params={"q": "smit", "department": str(ict)}).text
    assert "Bob Smit" in by_group and "Ann Smit" not in by_group
    by_topic = client.get("/phonebook/", params={"expertise": "diabetes"}).text
    assert "Ann Smit" in by_topic and "Bob Smit" not in by_topic


def test_browse_by_surname_letter_ignores_the_tussenvoegsel(phonebook, make_user, client_for):
    make_user(phonebook, "anna", given_name="Anna", tussenvoegsel="van den", surname="Berg")
    make_user(phonebook, "vera", given_name="Vera", surname="Visser")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    b = client.get("/phonebook/browse/b")
    assert b.status_code == 200
    assert "Anna van den Berg" in b.text and "Vera Visser" not in b.text
    assert client.get("/phonebook/browse/1").status_code == 404


def test_new_colleagues_page_lists_recent_employees(phonebook, make_user, client_for):
    make_user(phonebook, "nina", given_name="Nina", surname="Nieuw")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    assert "Nina Nieuw" in client.get("/phonebook/new").text


def test_results_as_you_type_answer_json(phonebook, make_user, client_for, give_profile):
    anna = make_user(phonebook, "anna", given_name="Anna", surname="Bakker")
    give_profile(phonebook, anna, job_title="Arts")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    items = client.get("/api/phonebook/v1/suggest", params={"q": "bak"}).json()["items"]
    assert items == [{"title": "Anna Bakker", "kind": "Arts", "url": "/phonebook/people/anna"}]


def test_script_in_a_name_or_job_title_is_shown_as_text(phonebook, make_user, client_for, give_profile):
    evil = make_user(phonebook, "evil", given_name="<script>alert(1)</script>", surname="Kwaad")
    give_profile(phonebook, evil, job_title="<img src=x onerror=alert(2)>")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    for url in ("/phonebook/?q=kwaad", "/phonebook/people/evil", "/phonebook/browse/k"):
        text = client.get(url).text
        assert "<script>alert(1)" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text


def test_directory_needs_sign_in(phonebook, client_for):
    response = client_for(phonebook).get("/phonebook/", follow_redirects=False)
    assert response.status_code in (303, 403)
    assert client_for(phonebook).get("/api/phonebook/v1/people").status_code in (401, 403)


@pytest.mark.parametrize("gather", [3000, 2], ids=["gathered", "walked in surname order"])
def test_api_search_pages_through_results(phonebook, make_user, client_for, reindex, monkeypatch, gather):
    # On PostgreSQL a query matching more than GATHER people is read in surname order instead of
    # gathered from the index: both ways give the same pages.
    from organet_plugins.phonebook import directory

    monkeypatch.setattr(directory, "GATHER", gather)
    for n in range(5):
        make_user(phonebook, f"smit{n}", given_name=f"Jan{n}", surname="Smit")
    reindex(phonebook)
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    first = client.get("/api/phonebook/v1/people", params={"q": "smit", "per_page": 3}).json()
    assert [item["name"] for item in first["items"]] == ["Jan0 Smit", "Jan1 Smit", "Jan2 Smit"]
    assert first["next"] == 2
    second = client.get("/api/phonebook/v1/people", params={"q": "smit", "per_page": 3, "page": 2}).json()
    assert len(second["items"]) == 2 and second["next"] is None
    beyond = client.get("/api/phonebook/v1/people", params={"q": "smit", "per_page": 3, "page": 9}).json()
    assert beyond["items"] == [] and beyond["next"] is None


def test_the_directory_speaks_dutch(phonebook, make_user, client_for):
    make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    page = client.get("/phonebook/people/piet", headers={"accept-language": "nl"}).text
    assert "Vandaag" in page and "Toevoegen aan contacten" in page
    assert "Achternamen A tot Z" in client.get("/phonebook/", headers={"accept-language": "nl"}).text
