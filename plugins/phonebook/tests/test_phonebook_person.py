"""The person page: fields by visibility, externals, manager and reports, editing one's own profile, vCard."""

from __future__ import annotations

from organet_plugins.phonebook.models import Profile

from organet.people import Group, Share, share
from organet.testing import db_session


def set_level(app, admin_client, field, level):
    """Change a field's visibility the way an admin does: on the phonebook's admin page."""
    response = admin_client.submit("/phonebook/admin", {f"level-{field}": level}, follow_redirects=False)
    assert response.status_code == 303


def test_person_page_shows_phones_as_tel_links_room_and_expertise(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    give_profile(phonebook, piet, work_phone="030 123 45 67", extension="4321", room="B1.12",
                 job_title="Verpleegkundige", expertise=["Wondzorg"], languages=["Nederlands", "Engels"],
                 about="Ik werk hier graag.")
    page = client_for(phonebook, make_user(phonebook, "viewer")).get("/phonebook/people/piet")
    assert page.status_code == 200
    for text in ('href="tel:0301234567"', 'href="tel:4321"', "B1.12", "Verpleegkundige", "Wondzorg",
                 "Nederlands, Engels", "Ik werk hier graag.", "piet@example.org"):
        assert text in page.text, text


def test_manager_and_reports_come_from_group_roles(phonebook, make_user, client_for, reindex):
    make_user(phonebook, "baas", given_name="Bea", surname="Baas", manager_of=["wondzorg"])
    make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    reindex(phonebook)  # the refresh job does this within minutes of a change
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    assert "Bea Baas" in client.get("/phonebook/people/piet").text
    assert "Piet Jansen" in client.get("/phonebook/people/baas").text


def test_mobile_is_shown_to_own_group_but_not_to_other_colleagues(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", groups=["wondzorg"])
    give_profile(phonebook, piet, mobile="06 12 34 56 78")
    same = client_for(phonebook, make_user(phonebook, "teamgenoot", groups=["wondzorg"]))
    other = client_for(phonebook, make_user(phonebook, "ander", groups=["ict"]))
    assert "06 12 34 56 78" in same.get("/phonebook/people/piet").text
    assert "06 12 34 56 78" not in other.get("/phonebook/people/piet").text
    assert "mobile" not in other.get("/api/phonebook/v1/people/piet").json()["fields"]


def test_a_field_only_for_the_person_is_hidden_from_everyone_else_but_admins(phonebook, make_user, client_for,
                                                                            give_profile):
    admin = client_for(phonebook, make_user(phonebook, "root", role="admin"))
    set_level(phonebook, admin, "room", "self")
    piet = make_user(phonebook, "piet", groups=["wondzorg"])
    give_profile(phonebook, piet, room="Geheime kamer")
    colleague = client_for(phonebook, make_user(phonebook, "teamgenoot", groups=["wondzorg"]))
    assert "Geheime kamer" not in colleague.get("/phonebook/people/piet").text
    assert "Geheime kamer" in client_for(phonebook, piet).get("/phonebook/people/piet").text
    assert "Geheime kamer" in admin.get("/phonebook/people/piet").text


def test_external_sees_only_fields_shared_with_their_group(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    give_profile(phonebook, piet, work_phone="030 123 45 67", job_title="Arts", room="B1.12")
    partner = make_user(phonebook, "partner", role="external", kind="external", groups=["huisartsen"])
    client = client_for(phonebook, partner)
    # Nothing of the phonebook is shared with the partner's group yet: for them it does not exist.
    assert client.get("/phonebook/people/piet").status_code == 404
    with db_session(phonebook) as session:
        group_id = session.query(Group).filter_by(slug="huisartsen").one().id
        share(session, "phonebook", "field", "work_phone", [group_id])
        phonebook.state.site.state["runtime"].refresh(session, force=True)  # as every worker does within seconds
    page = client.get("/phonebook/people/piet")
    assert page.status_code == 200 and "Piet Jansen" in page.text
    assert "030 123 45 67" in page.text
    assert "B1.12" not in page.text and "Arts" not in page.text and "piet@example.org" not in page.text
    # Searching by a field that is not shared finds nothing; by a shared one it does.
    assert "Piet Jansen" not in client.get("/phonebook/", params={"q": "arts"}).text
    assert "Piet Jansen" in client.get("/phonebook/", params={"q": "4567"}).text


def test_people_edit_their_own_profile(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    client = client_for(phonebook, piet)
    assert client.get("/phonebook/people/piet/edit").status_code == 200
    response = client.submit("/phonebook/people/piet/edit", {"room": "C2.01", "expertise": "Diabetes, EHBO",
                                                            "work_phone": "030 999 88 77"}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/phonebook/people/piet").text
    assert "C2.01" in page and "Diabetes" in page and "EHBO" in page
    viewer = client_for(phonebook, make_user(phonebook, "viewer"))
    assert "Piet Jansen" in viewer.get("/phonebook/", params={"q": "998877"}).text


def test_a_wrong_phone_number_is_refused_with_a_message(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet")
    response = client_for(phonebook, piet).submit("/phonebook/people/piet/edit", {"work_phone": "call me maybe"})
    assert response.status_code == 422
    assert "digits" in response.text


def test_editing_another_persons_profile_is_refused(phonebook, make_user, client_for):
    make_user(phonebook, "piet")
    intruder = client_for(phonebook, make_user(phonebook, "intruder"))
    assert intruder.get("/phonebook/people/piet/edit").status_code == 403
    assert intruder.submit("/phonebook/people/piet/edit", {"room": "hacked"}).status_code == 403
    assert intruder.api("PATCH", "/api/phonebook/v1/people/piet", json={"room": "hacked"}).status_code == 403
    with db_session(phonebook) as session:
        assert session.query(Profile).count() == 0


def test_a_forged_form_without_csrf_token_is_refused(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet")
    response = client_for(phonebook, piet).post("/phonebook/people/piet/edit", data={"room": "x"})
    assert response.status_code == 403


def test_fields_from_the_hr_import_are_read_only(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet")
    give_profile(phonebook, piet, job_title="Arts", imported_fields=["job_title", "work_phone"])
    client = client_for(phonebook, piet)
    form = client.get("/phonebook/people/piet/edit").text
    assert 'name="work_phone"' not in form and 'name="room"' in form
    response = client.api("PATCH", "/api/phonebook/v1/people/piet", json={"work_phone": "030 1"})
    assert response.status_code == 422
    assert "work_phone" in response.json()["error"]["fields"]


def test_api_reads_and_updates_ones_own_profile(phonebook, make_user, client_for):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    client = client_for(phonebook, piet)
    response = client.api("PATCH", "/api/phonebook/v1/people/piet",
                          json={"room": "A1", "expertise": ["Wondzorg"], "languages": ["Nederlands"]})
    assert response.status_code == 200
    data = client.get("/api/phonebook/v1/people/piet").json()
    assert data["name"] == "Piet Jansen"
    assert data["fields"]["room"] == "A1" and data["fields"]["expertise"] == ["Wondzorg"]
    assert client.get("/api/phonebook/v1/people/nobody").status_code == 404


def test_vcard_for_a_person_and_a_department(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    give_profile(phonebook, piet, work_phone="030 123 45 67", job_title="Arts; chirurg")
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    card = client.get("/phonebook/people/piet/vcard")
    assert card.headers["content-type"].startswith("text/vcard")
    assert "FN:Piet Jansen" in card.text and "TEL;TYPE=WORK,VOICE:030 123 45 67" in card.text
    assert "TITLE:Arts\\; chirurg" in card.text
    team = client.get("/phonebook/departments/wondzorg/vcard").text
    assert team.count("BEGIN:VCARD") == 1


def test_department_page_lists_members_and_place_in_the_tree(phonebook, make_user, client_for, reindex):
    make_user(phonebook, "piet", given_name="Piet", surname="Jansen", groups=["wondzorg"])
    make_user(phonebook, "baas", given_name="Bea", surname="Baas", manager_of=["wondzorg"])
    reindex(phonebook)
    with db_session(phonebook) as session:
        zorg = Group(slug="zorg", name="Zorg", kind="department")
        session.add(zorg)
        session.flush()
        session.query(Group).filter_by(slug="wondzorg").one().parent_id = zorg.id
    client = client_for(phonebook, make_user(phonebook, "viewer"))
    page = client.get("/phonebook/departments/wondzorg")
    assert page.status_code == 200 and 'href="/phonebook/departments/zorg"' in page.text
    assert "Managers" in page.text and page.text.index("Bea Baas") < page.text.index("Piet Jansen")
    assert "Wondzorg" in client.get("/phonebook/departments/zorg").text
    assert client.get("/phonebook/departments/nope").status_code == 404


def test_csv_export_is_for_admins_and_neutralises_formulas(phonebook, make_user, client_for, give_profile):
    evil = make_user(phonebook, "evil", given_name="=HYPERLINK(\"x\")", surname="Kwaad")
    give_profile(phonebook, evil, room="+31 room")
    assert client_for(phonebook, make_user(phonebook, "member")).get("/phonebook/export.csv").status_code == 403
    export = client_for(phonebook, make_user(phonebook, "root", role="admin")).get("/phonebook/export.csv")
    assert export.status_code == 200
    assert "'=HYPERLINK" in export.text and "'+31 room" in export.text


def test_admin_shares_a_field_with_a_group(phonebook, make_user, client_for):
    make_user(phonebook, "partner", kind="external", role="external", groups=["huisartsen"])
    with db_session(phonebook) as session:
        group_id = session.query(Group).filter_by(slug="huisartsen").one().id
    admin = client_for(phonebook, make_user(phonebook, "root", role="admin"))
    assert admin.get("/phonebook/admin").status_code == 200
    saved = admin.submit("/phonebook/admin", {"share-work_phone": str(group_id)}, follow_redirects=False)
    assert saved.status_code == 303
    with db_session(phonebook) as session:
        assert session.query(Share).filter_by(plugin="phonebook", object_id="work_phone").count() == 1
    member = client_for(phonebook, make_user(phonebook, "member"))
    assert member.get("/phonebook/admin").status_code == 403


def test_phonebook_section_on_the_core_profile_page(phonebook, make_user, client_for, give_profile):
    piet = make_user(phonebook, "piet", given_name="Piet", surname="Jansen")
    give_profile(phonebook, piet, work_phone="030 123 45 67", room="B1.12")
    page = client_for(phonebook, make_user(phonebook, "viewer")).get("/people/piet")
    assert page.status_code == 200
    assert 'href="tel:0301234567"' in page.text and "B1.12" in page.text


def test_photo_upload_is_stripped_and_shown_to_colleagues(phonebook, make_user, client_for):
    import io
    import re

    from PIL import Image

    piet = make_user(phonebook, "piet")
    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Spy camera"  # Make
    Image.new("RGB", (400, 400), "teal").save(picture, "JPEG", exif=exif)
    client = client_for(phonebook, piet)
    response = client.post("/phonebook/people/piet/photo", data={"csrf_token": client.csrf},
                           files={"photo": ("me.jpg", picture.getvalue(), "image/jpeg")}, follow_redirects=False)
    assert response.status_code == 303
    viewer = client_for(phonebook, make_user(phonebook, "viewer"))
    page = viewer.get("/phonebook/people/piet").text
    found = re.search(r'src="(/media/[^"]+/thumbnail/[^"]+)"', page)
    assert found
    thumbnail = viewer.get(found.group(1))
    assert thumbnail.status_code == 200 and b"Spy camera" not in thumbnail.content
    not_an_image = client.post("/phonebook/people/piet/photo", data={"csrf_token": client.csrf},
                               files={"photo": ("x.jpg", b"<script>alert(1)</script>", "image/jpeg")})
    assert not_an_image.status_code == 422
    other = client_for(phonebook, make_user(phonebook, "other"))
    forged = other.post("/phonebook/people/piet/photo", data={"csrf_token": other.csrf},
                        files={"photo": ("me.jpg", picture.getvalue(), "image/jpeg")})
    assert forged.status_code == 403


def test_hr_import_columns_fill_the_profile_and_lock_the_fields(phonebook, make_user):
    from organet_plugins.phonebook import sync

    piet = make_user(phonebook, "piet")
    columns = {c.name: c for c in sync.import_columns()}
    with db_session(phonebook) as session:
        person = session.get(type(piet), piet.id)
        columns["work_phone"].apply(session, person, "030 111 22 33")
        columns["expertise"].apply(session, person, "Wondzorg, Diabetes")
        columns["absence"].apply(session, person, "2026-12-01..2026-12-05 leave")
        columns["absence"].apply(session, person, "2026-12-01..2026-12-05 leave")
    with db_session(phonebook) as session:
        profile = session.get(Profile, piet.id)
        assert profile.work_phone == "030 111 22 33"
        assert set(profile.imported_fields) == {"work_phone", "expertise"}
        from organet_plugins.phonebook.models import Absence

        assert session.query(Absence).count() == 1
