"""The kudos plugin, tested the way a plugin author tests: organet.testing's fixtures, a real database."""

from __future__ import annotations

import random

import pytest
from organet_kudos import demo
from organet_kudos.models import Kudo

from organet.testing import db_session


@pytest.fixture
def site(make_app):
    """A site with the kudos plugin enabled (and only the core besides)."""
    return make_app(plugins=["kudos"])


def test_colleague_gives_kudos_on_the_board(site, make_user, client_for):
    anna = make_user(site, "anna")
    make_user(site, "bram", given_name="Bram", tussenvoegsel="van den", surname="Berg")
    client = client_for(site, anna)
    response = client.submit("/kudos/", {"to": "bram", "message": "Thanks for the help!"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Anna Tester thanked Bram van den Berg" in response.text
    assert "Thanks for the help!" in response.text


def test_kudos_to_yourself_are_refused_with_the_field_named(site, make_user, client_for):
    anna = make_user(site, "anna")
    response = client_for(site, anna).submit("/kudos/", {"to": "anna", "message": "Me!"})
    assert response.status_code == 422
    assert "not yourself" in response.text
    with db_session(site) as session:
        assert session.query(Kudo).count() == 0


def test_forged_form_without_csrf_token_is_refused(site, make_user, client_for):
    anna = make_user(site, "anna")
    make_user(site, "bram")
    response = client_for(site, anna).post("/kudos/", data={"to": "bram", "message": "forged"})
    assert response.status_code == 403


def test_external_partner_cannot_see_or_give_kudos(site, make_user, client_for):
    partner = client_for(site, make_user(site, "piet", role="external", kind="external"))
    # Outside what is shared with them, the plugin does not exist for an external partner.
    assert partner.get("/kudos/").status_code in (403, 404)
    assert partner.api("GET", "/api/kudos/v1/kudos").status_code in (403, 404)
    assert partner.api("POST", "/api/kudos/v1/kudos", json={"to": "anna", "message": "hi"}).status_code in (403, 404)


def test_script_in_a_message_is_shown_as_text(site, make_user, client_for):
    anna = make_user(site, "anna")
    make_user(site, "bram")
    client = client_for(site, anna)
    client.submit("/kudos/", {"to": "bram", "message": "<script>alert(1)</script>"})
    page = client.get("/kudos/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_setting_limits_the_message_length(make_app, make_user, client_for):
    site = make_app(plugins=["kudos"], plugin_settings={"kudos": {"max_length": 20}})
    anna = make_user(site, "anna")
    make_user(site, "bram")
    response = client_for(site, anna).api("POST", "/api/kudos/v1/kudos",
                                          json={"to": "bram", "message": "x" * 21})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["message"] == ["Use 1 to 20 characters."]


def test_api_lists_kudos_in_pages(site, make_user, client_for):
    anna = make_user(site, "anna")
    make_user(site, "bram")
    client = client_for(site, anna)
    for number in range(3):
        created = client.api("POST", "/api/kudos/v1/kudos", json={"to": "bram", "message": f"Thanks {number}"})
        assert created.status_code == 201
        assert created.json()["receiver"] == "bram"
    first = client.api("GET", "/api/kudos/v1/kudos?per_page=2").json()
    assert set(first) == {"items", "page", "per_page", "total", "next"}
    assert (first["total"], first["page"], first["next"]) == (3, 1, 2)
    assert [item["message"] for item in first["items"]] == ["Thanks 2", "Thanks 1"]
    second = client.api("GET", "/api/kudos/v1/kudos?page=2&per_page=2").json()
    assert second["next"] is None and len(second["items"]) == 1


def test_api_errors_say_what_to_fix(site, make_user, client_for):
    client = client_for(site, make_user(site, "anna"))
    missing = client.api("POST", "/api/kudos/v1/kudos", json={"message": "no one"})
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["code"] == "invalid" and error["message"] and "to" in error["fields"]
    bad_page = client.api("GET", "/api/kudos/v1/kudos?page=zero")
    assert bad_page.status_code == 422 and bad_page.json()["error"]["code"] == "invalid"
    nobody = client.api("POST", "/api/kudos/v1/kudos", json={"to": "nobody", "message": "hi"})
    assert nobody.json()["error"]["fields"] == {"to": ["No colleague has this username."]}


def test_openapi_describes_the_kudos_api(site, client_for):
    spec = client_for(site).get("/api/openapi.json").json()
    operation = spec["paths"]["/api/kudos/v1/kudos"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/KudoIn")
    assert "KudoOut" in spec["components"]["schemas"]


def test_widget_shows_the_latest_kudos_on_the_dashboard(site, make_user, client_for):
    anna = make_user(site, "anna")
    make_user(site, "bram")
    client = client_for(site, anna)
    client.submit("/kudos/", {"to": "bram", "message": "Great shift"})
    dashboard = client.get("/").text
    assert "Latest kudos" in dashboard and "Great shift" in dashboard


def test_dutch_interface(site, make_user, client_for):
    page = client_for(site, make_user(site, "anna")).get("/kudos/", headers={"accept-language": "nl"}).text
    assert "Kudos geven" in page


def test_demo_data_thanks_employees_only(site, make_user):
    people = [make_user(site, f"person{n}") for n in range(5)]
    people.append(make_user(site, "partner", role="external", kind="external"))
    with db_session(site) as session:
        demo.load(session, people, random.Random(1))
    with db_session(site) as session:
        given = session.query(Kudo).all()
        assert len(given) == 40
        assert all(k.receiver.kind == "employee" and k.giver_id != k.receiver_id for k in given)


def test_kudos_are_found_by_organet_search_at_once(site, make_user, client_for):
    anna = make_user(site, "anna")
    make_user(site, "bram", given_name="Bram", surname="Berg")
    client = client_for(site, anna)
    client.submit("/kudos/", {"to": "bram", "message": "Dank voor de wondzorgcursus!"})
    found = client.get("/api/search/v1/search", params={"q": "wondzorgcursus"}).json()
    assert [item["kind"] for item in found["items"]] == ["kudo"]
    assert "Bram Berg" in found["items"][0]["title"]
