"""The people pages: list, search, profiles, groups, the person picker and profile editing."""

from __future__ import annotations

import sqlalchemy as sa

from organet.people import ProfileSection
from organet.people.models import Group, User
from organet.testing import db_session


def test_search_berg_finds_van_den_berg(app, make_user, client_for):
    make_user(app, "aberg", given_name="Anna", tussenvoegsel="van den", surname="Berg")
    make_user(app, "pjansen", given_name="Piet", surname="Jansen")
    client = client_for(app, make_user(app, "viewer"))
    for query in ("berg", "Berg", "van den b", "anna", "aber", "aberg@exa"):
        page = client.get("/people/", params={"q": query})
        assert page.status_code == 200
        assert "/people/aberg" in page.text, query
        assert "/people/pjansen" not in page.text, query


def test_people_list_sorts_by_surname_not_tussenvoegsel(app, make_user, client_for):
    make_user(app, "z", given_name="Zoe", tussenvoegsel="van", surname="Aalst")
    make_user(app, "b", given_name="Bob", surname="Bakker")
    make_user(app, "c", given_name="Cor", tussenvoegsel="de", surname="Corte")
    text = client_for(app, make_user(app, "viewer", surname="Zwart")).get("/people/").text
    assert text.index("/people/z") < text.index("/people/b") < text.index("/people/c") < text.index("/people/viewer")


def test_people_list_is_paginated(app, make_user, client_for):
    with db_session(app) as session:
        for number in range(60):
            person = User(username=f"p{number:02d}", email=f"p{number}@example.org")
            person.set_name("P", "", f"Surname{number:02d}")
            session.add(person)
    client = client_for(app, make_user(app, "viewer", surname="Zz"))
    first = client.get("/people/").text
    assert "/people/p00" in first and "/people/p55" not in first and 'rel="next"' in first
    second = client.get("/people/?page=2").text
    assert "/people/p55" in second and "/people/p00" not in second


def test_picker_returns_matching_active_people_as_json(app, make_user, client_for):
    make_user(app, "aberg", given_name="Anna", tussenvoegsel="van den", surname="Berg", groups=["wondzorg"])
    gone = make_user(app, "bberg", given_name="Bert", surname="Berg")
    with db_session(app) as session:
        session.get(User, gone.id).active = False
    client = client_for(app, make_user(app, "viewer"))
    items = client.get("/api/people/v1/picker?q=berg").json()["items"]
    assert items == [{"username": "aberg", "name": "Anna van den Berg", "department": "Wondzorg"}]
    assert client.get("/api/people/v1/picker?q=b").json() == {"items": []}


def test_picker_is_401_or_403_without_permission(app, make_user, client_for):
    assert client_for(app).get("/api/people/v1/picker?q=an").status_code in (401, 403)
    outsider = make_user(app, "partner", kind="external", role="external")
    assert client_for(app, outsider).get("/api/people/v1/picker?q=an").status_code == 403


def test_person_page_shows_core_data_and_groups(app, make_user, client_for):
    make_user(app, "aberg", given_name="Anna", tussenvoegsel="van den", surname="Berg", groups=["wondzorg"])
    page = client_for(app, make_user(app, "viewer")).get("/people/aberg")
    assert page.status_code == 200
    assert "Anna van den Berg" in page.text and "/groups/wondzorg" in page.text
    assert client_for(app, make_user(app, "v2")).get("/people/nobody").status_code == 404


def test_profile_sections_from_plugins_are_shown_in_order(app, make_user, client_for):
    from markupsafe import Markup

    from organet.hooks import hookimpl

    class Sections:
        @hookimpl
        def person_profile_sections(self, request, person):
            return [ProfileSection("Second", Markup("<p>two</p>"), order=20),
                    ProfileSection("First", Markup("<p>one</p>"), order=10)]

    app.state.site.pm.register(Sections(), name="sections-test")
    make_user(app, "aberg")
    text = client_for(app, make_user(app, "viewer")).get("/people/aberg").text
    assert text.index("First") < text.index("Second") and "<p>one</p>" in text


def test_user_text_is_escaped_on_the_profile(app, make_user, client_for):
    make_user(app, "evil", given_name="<script>alert(1)</script>", surname="X")
    text = client_for(app, make_user(app, "viewer")).get("/people/evil").text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text


def test_person_edits_own_profile_but_hr_fields_stay(app, make_user, client_for):
    anna = make_user(app, "anna", given_name="Anna", surname="Berg")
    with db_session(app) as session:
        session.get(User, anna.id).hr_fields = ["surname"]
    client = client_for(app, anna)
    response = client.submit("/people/anna/edit", {"given_name": "Annie", "surname": "Hacked", "email": "a@x.org",
                                                   "tussenvoegsel": "", "language": "en", "time_zone": ""},
                             follow_redirects=False)
    assert response.status_code == 303
    with db_session(app) as session:
        stored = session.get(User, anna.id)
        assert (stored.given_name, stored.surname, stored.language) == ("Annie", "Berg", "en")


def test_member_cannot_edit_someone_elses_profile(app, make_user, client_for):
    make_user(app, "anna")
    client = client_for(app, make_user(app, "piet"))
    assert client.get("/people/anna/edit").status_code == 403
    assert client.submit("/people/anna/edit", {"given_name": "X", "surname": "Y", "email": "a@b.c"}).status_code == 403


def test_group_page_shows_members_and_place_in_tree(app, make_user, client_for):
    make_user(app, "anna", groups=["wondzorg"], manager_of=["zorg"])
    with db_session(app) as session:
        zorg = session.scalar(sa.select(Group).where(Group.slug == "zorg"))
        wond = session.scalar(sa.select(Group).where(Group.slug == "wondzorg"))
        wond.parent_id = zorg.id
    client = client_for(app, make_user(app, "viewer"))
    page = client.get("/groups/wondzorg")
    assert page.status_code == 200 and "/groups/zorg" in page.text and "/people/anna" in page.text
    index = client.get("/groups/")
    assert index.text.index("Zorg") < index.text.index("Wondzorg")
    assert client.get("/groups/nothing").status_code == 404


def test_picker_macro_renders_a_plain_field_with_a_datalist(app):
    environment = app.state.site.state["templates"]
    html = environment.from_string('{% from "people/picker.html" import person_picker %}'
                                   '{{ person_picker("colleague", "Colleague") }}').render()
    assert 'name="colleague"' in html and "<datalist" in html and 'label for="picker-colleague"' in html


def test_people_pages_speak_dutch(app, make_user, client_for):
    anna = make_user(app, "anna", groups=["wondzorg"])
    with db_session(app) as session:
        session.get(User, anna.id).language = "nl"
    client = client_for(app, anna)
    assert "Een collega zoeken" in client.get("/people/").text
    assert "afdeling" in client.get("/people/anna").text
