"""Search: indexing in the caller's transaction, visibility in the query, pages, suggestions and the API."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from organet.people.models import Group, Share, User
from organet.search import SearchDocument, index, index_person, remove
from organet.search.query import highlight
from organet.testing import db_session


def group_id(app, slug):
    with db_session(app) as session:
        return session.scalar(sa.select(Group.id).where(Group.slug == slug))


def put(app, object_id, title, text="", **fields):
    with db_session(app) as session:
        index(session, SearchDocument(plugin=fields.pop("plugin", "search"), kind=fields.pop("kind", "note"),
                                      object_id=str(object_id), title=title, text=text,
                                      url=f"/notes/{object_id}", **fields))


def titles(client, query, **params):
    response = client.get("/api/search/v1/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def suggestions(client, query):
    response = client.get("/search/suggest", params={"q": query}, headers={"accept": "application/json"})
    assert response.status_code == 200
    return [item["title"] for item in response.json()["items"]]


def test_finds_document_by_title_and_body_word_prefix(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "Wondzorg protocol", "Hoe je een verband wisselt bij decubitus")
    client = client_for(app, anna)
    assert titles(client, "wondzorg") == ["Wondzorg protocol"]
    assert titles(client, "decub") == ["Wondzorg protocol"]
    assert titles(client, "wond verband") == ["Wondzorg protocol"]
    assert titles(client, "onbekendwoord") == []


def test_title_match_ranks_above_body_match(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "Vakantieplanning", "valt onder roosters en diabetes komt hier niet voor")
    put(app, 2, "Roosters", "iets over diabetes in de tekst")
    put(app, 3, "Diabetes bij ouderen", "richtlijn")
    assert titles(client_for(app, anna), "diabetes")[0] == "Diabetes bij ouderen"


def test_newer_ranks_above_older_and_boost_counts(app, make_user, client_for):
    anna = make_user(app, "anna")
    now = dt.datetime.now(dt.UTC)
    put(app, 1, "Kerstborrel 2019", date=now - dt.timedelta(days=5 * 365))
    put(app, 2, "Kerstborrel dit jaar", date=now)
    client = client_for(app, anna)
    assert titles(client, "kerstborrel") == ["Kerstborrel dit jaar", "Kerstborrel 2019"]
    put(app, 1, "Kerstborrel 2019", date=now - dt.timedelta(days=5 * 365), boost=50.0)
    assert titles(client, "kerstborrel")[0] == "Kerstborrel 2019"


@pytest.mark.parametrize("visibility", ["employees", "groups", "owner"])
def test_each_visibility_reaches_exactly_who_it_should(app, make_user, client_for, visibility):
    owner = make_user(app, "owner", groups=["wondzorg"])
    colleague = make_user(app, "colleague", groups=["wondzorg"])
    stranger = make_user(app, "stranger", groups=["ict"])
    external = make_user(app, "partner", kind="external", role="external", groups=["wondzorg"])
    put(app, 1, "Geheimrecept appeltaart", visibility=visibility, owner_id=owner.id,
        group_ids=(group_id(app, "wondzorg"),) if visibility == "groups" else ())
    expected = {
        "employees": {"owner": True, "colleague": True, "stranger": True, "partner": False},
        "groups": {"owner": True, "colleague": True, "stranger": False, "partner": False},
        "owner": {"owner": True, "colleague": False, "stranger": False, "partner": False},
    }[visibility]
    for person in (owner, colleague, stranger, external):
        client = client_for(app, person)
        found = titles(client, "geheimrecept") == ["Geheimrecept appeltaart"]
        assert found is expected[person.username], person.username
        response = client.get("/api/search/v1/search", params={"q": "geheimrecept"}).json()
        assert response["total"] == (1 if found else 0)
        assert response["kinds"] == ({"note": 1} if found else {})
        assert suggestions(client, "geheim") == (["Geheimrecept appeltaart"] if found else [])
        page = client.get("/search", params={"q": "geheimrecept"}).text
        assert ("Geheimrecept" in page.replace("<mark>", "").replace("</mark>", "")) is found


def test_externals_see_what_is_shared_with_their_group(app, make_user, client_for):
    external = make_user(app, "partner", kind="external", role="external", groups=["huisartsen"])
    employee = make_user(app, "anna", groups=["wondzorg"])
    huisartsen = group_id(app, "huisartsen")
    put(app, 1, "Samenwerking huisartsen", shared_group_ids=(huisartsen,))
    put(app, 2, "Samenwerking intern")
    put(app, 3, "Samenwerking gedeeld via share")
    client = client_for(app, external)
    assert titles(client, "samenwerking") == ["Samenwerking huisartsen"]
    with db_session(app) as session:
        session.add(Share(plugin="search", kind="note", object_id="3", group_id=huisartsen))
    assert sorted(titles(client, "samenwerking")) == ["Samenwerking gedeeld via share", "Samenwerking huisartsen"]
    with db_session(app) as session:
        session.add(Share(plugin="search", kind="", object_id="", group_id=huisartsen))
    assert len(titles(client, "samenwerking")) == 3
    assert len(titles(client_for(app, employee), "samenwerking")) == 3


def test_deleted_and_made_private_disappear_at_once(app, make_user, client_for):
    anna = make_user(app, "anna")
    bram = make_user(app, "bram")
    put(app, 1, "Teamuitje naar Texel", owner_id=bram.id)
    put(app, 2, "Teamuitje naar Ameland", owner_id=bram.id)
    client = client_for(app, anna)
    assert sorted(titles(client, "teamuitje")) == ["Teamuitje naar Ameland", "Teamuitje naar Texel"]
    with db_session(app) as session:
        remove(session, "search", "note", "1")
    put(app, 2, "Teamuitje naar Ameland", owner_id=bram.id, visibility="owner")
    assert titles(client, "teamuitje") == []
    assert suggestions(client, "teamui") == []
    assert client.get("/api/search/v1/search", params={"q": "teamuitje"}).json()["total"] == 0
    assert titles(client_for(app, bram), "teamuitje") == ["Teamuitje naar Ameland"]


def test_index_rolled_back_with_its_transaction(app, make_user, client_for):
    anna = make_user(app, "anna")
    with pytest.raises(RuntimeError), db_session(app) as session:
        index(session, SearchDocument(plugin="search", kind="note", object_id="9", title="Halfbakken plan",
                                      url="/notes/9"))
        raise RuntimeError("the change failed")
    assert titles(client_for(app, anna), "halfbakken") == []


def test_piloted_plugin_documents_only_for_its_audience(app, make_user, client_for):
    from organet.core.models import Audience
    from organet.runtime import bump

    pilot = make_user(app, "pilot", groups=["pilotgroep"])
    other = make_user(app, "other", groups=["ict"])
    put(app, 1, "Pilotdocument", plugin="pilotplugin")
    site = app.state.site
    site.plugins["pilotplugin"] = site.plugins["search"].__class__(
        info=site.plugins["search"].info.__class__(name="pilotplugin", title="Pilot"),
        package=site.plugins["search"].package, hooks=site.plugins["search"].hooks)
    with db_session(app) as session:
        session.add(Audience(plugin="pilotplugin", group_id=group_id(app, "pilotgroep")))
        bump(session)
    with db_session(app) as session:
        site.state["runtime"].refresh(session, force=True)
    assert titles(client_for(app, pilot), "pilotdocument") == ["Pilotdocument"]
    assert titles(client_for(app, other), "pilotdocument") == []
    assert suggestions(client_for(app, other), "pilotdoc") == []


def test_documents_of_disabled_plugins_never_show(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "Oude prikbordpost", plugin="bulletin", kind="post")
    assert titles(client_for(app, anna), "prikbordpost") == []


def test_highlighting_never_lets_markup_through(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "<script>alert('titel')</script> rooster", "<script>alert(1)</script> het rooster <b>vet</b>")
    client = client_for(app, anna)
    page = client.get("/search", params={"q": "rooster"}).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "<mark>rooster</mark>" in page
    item = client.get("/api/search/v1/search", params={"q": "rooster"}).json()["items"][0]
    assert "<script>" not in item["snippet_html"] and "<mark>rooster</mark>" in item["snippet_html"]
    assert highlight("<mark>x</mark> mark", ["mark"]) == \
        "&lt;<mark>mark</mark>&gt;x&lt;/<mark>mark</mark>&gt; <mark>mark</mark>"


def test_people_are_found_by_name_username_email_and_group(app, make_user, client_for):
    anna = make_user(app, "anna", groups=["wondzorg"], given_name="Anna", surname="Jansen")
    make_user(app, "piet", groups=["ict"], given_name="Piet", surname="de Vries", email="p.devries@zorg.example")
    with db_session(app) as session:
        for user in session.scalars(sa.select(User)):
            index_person(session, user)
    client = client_for(app, anna)
    assert titles(client, "piet") == ["Piet de Vries"]
    assert titles(client, "devries") == ["Piet de Vries"]
    assert titles(client, "Ict") == ["Piet de Vries"]
    assert suggestions(client, "jan") == ["Anna Jansen"]
    with db_session(app) as session:
        piet = session.scalar(sa.select(User).where(User.username == "piet"))
        piet.active = False
        index_person(session, piet)
    assert titles(client, "piet") == []


def test_people_are_hidden_from_externals_unless_people_are_shared(app, make_user, client_for):
    external = make_user(app, "partner", kind="external", role="external", groups=["huisartsen"])
    make_user(app, "anna", given_name="Anna", surname="Jansen")
    with db_session(app) as session:
        for user in session.scalars(sa.select(User)):
            index_person(session, user)
    client = client_for(app, external)
    assert titles(client, "jansen") == []
    with db_session(app) as session:
        session.add(Share(plugin="people", kind="", object_id="", group_id=group_id(app, "huisartsen")))
    assert titles(client, "jansen") == ["Anna Jansen"]


def test_reindex_rebuilds_people_and_drops_stale_documents(app, make_user, client_for):
    from organet.search.sources import reindex

    anna = make_user(app, "anna", given_name="Anna", surname="Jansen")
    put(app, 99, "Verdwenen collega", plugin="people", kind="person")
    counts = reindex(app.state.site, "people")
    assert counts == {"people/person": 1}
    client = client_for(app, anna)
    assert titles(client, "jansen") == ["Anna Jansen"]
    assert titles(client, "verdwenen") == []


def test_filters_by_kind_plugin_and_date(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "Budget 2025", kind="report", date=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    put(app, 2, "Budget 2026", kind="news", date=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    client = client_for(app, anna)
    assert titles(client, "budget", kind="report") == ["Budget 2025"]
    assert sorted(titles(client, "budget", plugin="search")) == ["Budget 2025", "Budget 2026"]
    assert titles(client, "budget", plugin="people") == []
    assert titles(client, "budget", **{"from": "2026-01-01"}) == ["Budget 2026"]
    assert titles(client, "budget", to="2025-12-31") == ["Budget 2025"]
    assert client.get("/api/search/v1/search", params={"q": "budget", "from": "gisteren"}).status_code == 422


def test_pages_and_counts_are_right(app, make_user, client_for):
    anna = make_user(app, "anna")
    with db_session(app) as session:
        for number in range(45):
            index(session, SearchDocument(plugin="search", kind="note", object_id=str(number),
                                          title=f"Notulen {number}", url=f"/n/{number}",
                                          visibility="owner" if number % 3 == 0 else "employees",
                                          owner_id=anna.id if number % 3 == 0 and number % 2 == 0 else None
                                          ) if not (number % 3 == 0 and number % 2) else
                  SearchDocument(plugin="search", kind="note", object_id=str(number), title=f"Notulen {number}",
                                 url=f"/n/{number}", visibility="owner", owner_id=_other(session)))
    client = client_for(app, anna)
    first = client.get("/api/search/v1/search", params={"q": "notulen", "per_page": 20}).json()
    visible = 45 - len([n for n in range(45) if n % 3 == 0 and n % 2])
    assert first["total"] == visible and first["next"] == 2 and len(first["items"]) == 20
    last = client.get("/api/search/v1/search", params={"q": "notulen", "per_page": 20, "page": 2}).json()
    assert len(last["items"]) == visible - 20 and last["next"] is None
    assert not {i["title"] for i in first["items"]} & {i["title"] for i in last["items"]}


def _other(session):
    other = session.scalar(sa.select(User).where(User.username == "zz-other"))
    if other is None:
        other = User(username="zz-other", email="zz@example.org")
        other.set_name("Zz", "", "Other")
        session.add(other)
        session.flush()
    return other.id


def test_search_page_groups_by_kind_and_works_without_script(app, make_user, client_for):
    anna = make_user(app, "anna", given_name="Anna", surname="Rooster")
    with db_session(app) as session:
        index_person(session, session.get(User, anna.id))
    put(app, 1, "Rooster december")
    client = client_for(app, anna)
    page = client.get("/search", params={"q": "rooster"})
    assert page.status_code == 200
    assert "People" in page.text or "Mensen" in page.text
    assert 'action="/search"' in page.text
    assert client.get("/search").status_code == 200


def test_search_needs_sign_in(app, client_for):
    anonymous = client_for(app)
    assert anonymous.get("/search?q=x", follow_redirects=False).status_code == 303
    assert anonymous.get("/search/suggest?q=xx", headers={"accept": "application/json"}).status_code == 403
    assert anonymous.get("/api/search/v1/search?q=xx").status_code == 403


def test_query_syntax_is_never_sql_or_fts_syntax(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "Normaal document")
    client = client_for(app, anna)
    for query in ['"', "' OR 1=1 --", "title:*", "NEAR(a b)", "a AND OR NOT", "*", "(", "%_"]:
        response = client.get("/api/search/v1/search", params={"q": query})
        assert response.status_code in (200, 422)
        assert client.get("/search/suggest", params={"q": query}).status_code == 200


def test_search_page_speaks_dutch(app, make_user, client_for):
    anna = make_user(app, "anna")
    put(app, 1, "Rooster")
    page = client_for(app, anna).get("/search", params={"q": "rooster"}, headers={"accept-language": "nl"}).text
    assert "Zoeken naar" in page and "1 resultaat voor" in page


def test_reindex_command_rebuilds_with_a_summary(app, make_user, client_for, tmp_path):
    from click.testing import CliRunner

    from organet.cli import main

    anna = make_user(app, "anna", given_name="Anna", surname="Jansen")
    url = app.state.site.config.database_url
    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{url}"\n[plugins]\nenabled = []\n')
    runner = CliRunner()
    result = runner.invoke(main, ["-c", str(config), "search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "people/person" in result.output and "1 documents" in result.output
    assert titles(client_for(app, anna), "jansen") == ["Anna Jansen"]
    unknown = runner.invoke(main, ["-c", str(config), "search", "reindex", "--plugin", "nope"])
    assert unknown.exit_code != 0 and "not enabled" in unknown.output
