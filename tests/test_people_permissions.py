"""Object-level checks, sharing, pilot audiences and externals: who sees which plugin and which object."""

from __future__ import annotations

import sqlalchemy as sa

import organet.runtime
from organet.people import (
    in_group,
    is_manager_of,
    is_owner,
    share,
    shared_groups,
    shared_with,
    visible_clause,
    visible_plugins,
)
from organet.people.models import Group, User
from organet.testing import db_session

PROBE = '''
from markupsafe import Markup
from organet import hookimpl, NavEntry, Page, SIGNED_IN, Widget, ApiRoute
from starlette.responses import HTMLResponse

def page(request):
    return HTMLResponse("probe page")

def item(request):
    return {"ok": True}

@hookimpl
def register_routes():
    return [Page("/", page, name="home", permission=SIGNED_IN), Page("/item/{item_id}", page, name="item",
            permission=SIGNED_IN)]

@hookimpl
def register_api_routes():
    return [ApiRoute("/items", item, name="items", permission=SIGNED_IN)]

@hookimpl
def register_navigation():
    return [NavEntry("Probe", "probe:home", SIGNED_IN)]

@hookimpl
def register_widgets():
    return [Widget("probe", "Probe block", lambda request: Markup("<p>probe widget</p>"), SIGNED_IN)]
'''


def _group(app, slug):
    with db_session(app) as session:
        return session.scalar(sa.select(Group).where(Group.slug == slug))


def _loaded(app, user):
    with db_session(app) as session:
        found = session.get(User, user.id)
        for membership in found.memberships:
            _ = membership.group.parent
        session.expunge_all()
        return found


def test_is_owner_and_in_group(app, make_user):
    anna = _loaded(app, make_user(app, "anna", groups=["wondzorg"]))
    piet = make_user(app, "piet")
    wondzorg = _group(app, "wondzorg")

    class Post:
        owner_id = anna.id

    assert is_owner(anna, Post()) and is_owner(anna, anna.id)
    assert not is_owner(piet, Post())
    assert in_group(anna, wondzorg.id) and not in_group(piet, wondzorg.id)


def test_manager_of_a_parent_department_manages_the_people_below(app, make_user):
    boss = make_user(app, "boss", manager_of=["zorg"])
    make_user(app, "anna", groups=["wondzorg"])
    with db_session(app) as session:
        zorg = session.scalar(sa.select(Group).where(Group.slug == "zorg"))
        session.scalar(sa.select(Group).where(Group.slug == "wondzorg")).parent_id = zorg.id
    with db_session(app) as session:
        boss_row = session.get(User, boss.id)
        anna_row = session.scalar(sa.select(User).where(User.username == "anna"))
        assert is_manager_of(boss_row, anna_row)
        assert not is_manager_of(anna_row, boss_row)


def test_nothing_is_shared_by_default_and_share_replaces(app, make_user):
    partner = _loaded(app, make_user(app, "partner", kind="external", role="external", groups=["partners"]))
    partners = _group(app, "partners")
    with db_session(app) as session:
        assert not shared_with(session, partner, "bulletin", "post", 7)
        share(session, "bulletin", "post", 7, [partners.id])
    with db_session(app) as session:
        assert shared_with(session, partner, "bulletin", "post", "7")
        assert not shared_with(session, partner, "bulletin", "post", 8)
        assert shared_groups(session, "bulletin", "post", 7) == [partners.id]
        share(session, "bulletin", "post", 7, [])
    with db_session(app) as session:
        assert not shared_with(session, partner, "bulletin", "post", 7)


def test_visible_clause_filters_in_sql_for_employees_externals_and_anonymous(app, make_user):
    from organet.web import ANONYMOUS

    partner = _loaded(app, make_user(app, "partner", kind="external", role="external", groups=["partners"]))
    employee = _loaded(app, make_user(app, "anna", groups=["wondzorg"]))
    partners = _group(app, "partners")
    wondzorg = _group(app, "wondzorg")
    with db_session(app) as session:
        share(session, "probe", "group", wondzorg.id, [partners.id])
    # Groups stand in for a plugin's objects; "public" means "a department" here.
    public = Group.kind == "department"
    with db_session(app) as session:
        def visible(user):
            return set(session.scalars(sa.select(Group.slug).where(
                visible_clause(user, "probe", "group", Group.id, public=public))))

        assert visible(employee) == {"partners", "wondzorg"}
        assert visible(partner) == {"wondzorg"}
        assert visible(ANONYMOUS) == set()
        share(session, "probe", "", "", [partners.id])
    with db_session(app) as session:
        assert set(session.scalars(sa.select(Group.slug).where(
            visible_clause(partner, "probe", "group", Group.id, public=public)))) == {"partners", "wondzorg"}


def test_piloted_plugin_is_invisible_outside_its_audience_and_appears_without_restart(
        make_app, make_user, client_for, fake_plugins, monkeypatch):
    fake_plugins("probe", PROBE)
    app = make_app(plugins=["probe"])
    anna = make_user(app, "anna", groups=["wondzorg"])
    piet = make_user(app, "piet", groups=["keuken"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    wondzorg, keuken = _group(app, "wondzorg"), _group(app, "keuken")
    assert admin.submit("/admin/plugins/probe", {"audience": [str(wondzorg.id)]},
                        follow_redirects=False).status_code == 303

    inside, outside = client_for(app, anna), client_for(app, piet)
    for path in ("/probe/", "/probe/item/1", "/api/probe/v1/items"):
        assert inside.get(path).status_code == 200, path
        assert outside.get(path).status_code == 404, path
    assert "/probe/" in inside.get("/").text and "probe widget" in inside.get("/").text
    home = outside.get("/").text
    assert "/probe/" not in home and "probe widget" not in home
    assert "probe" in visible_plugins(app.state.site, _loaded(app, anna))
    assert "probe" not in visible_plugins(app.state.site, _loaded(app, piet))

    # Another worker (a second app on the same database) picks the change up without a restart.
    from organet.app import create_app

    other_worker = create_app(app.state.site.config)
    with client_for(other_worker) as _started:
        monkeypatch.setattr(organet.runtime, "REFRESH_SECONDS", 0)
        assert admin.submit("/admin/plugins/probe", {"audience": [str(wondzorg.id), str(keuken.id)]},
                            follow_redirects=False).status_code == 303
        from organet.testing import sign_in

        piet_elsewhere = sign_in(other_worker, piet)
        assert piet_elsewhere.get("/probe/").status_code == 200
        assert "probe widget" in piet_elsewhere.get("/").text


def test_external_is_refused_on_every_page_of_a_plugin_not_shared_with_them(
        make_app, make_user, client_for, fake_plugins, monkeypatch):
    monkeypatch.setattr(organet.runtime, "REFRESH_SECONDS", 0)
    fake_plugins("probe", PROBE)
    app = make_app(plugins=["probe"])
    partner = make_user(app, "partner", kind="external", role="external", groups=["partners"])
    client = client_for(app, partner)
    for path in ("/probe/", "/probe/item/1", "/api/probe/v1/items"):
        assert client.get(path).status_code == 404, path
    assert "/probe/" not in client.get("/").text
    with db_session(app) as session:
        share(session, "probe", "item", 1, [_group(app, "partners").id])
    for path in ("/probe/", "/probe/item/1", "/api/probe/v1/items"):
        assert client.get(path).status_code == 200, path
    # Employees are not affected by sharing.
    assert client_for(app, make_user(app, "anna")).get("/probe/").status_code == 200


def test_external_sees_only_people_of_their_own_groups(app, make_user, client_for):
    from organet.testing import db_session as session_for

    partner = make_user(app, "partner", kind="external", role="external", groups=["partners"])
    make_user(app, "contact", groups=["partners"])
    make_user(app, "anna", groups=["wondzorg"])
    with session_for(app) as session:
        from organet.people.models import RolePermission

        session.add(RolePermission(role="external", permission="view-people"))
        organet.runtime.bump(session)
    with session_for(app) as session:
        app.state.site.state["runtime"].refresh(session, force=True)
    client = client_for(app, partner)
    listing = client.get("/people/").text
    assert "/people/contact" in listing and "/people/anna" not in listing
    assert client.get("/people/anna").status_code == 404
    assert client.get("/groups/wondzorg").status_code == 404


def test_role_matrix_change_applies_at_once_and_is_admin_only(app, make_user, client_for):
    member = client_for(app, make_user(app, "anna"))
    assert member.get("/admin/roles").status_code == 403
    assert member.get("/admin/people/").status_code == 403
    admin = client_for(app, make_user(app, "root", role="admin"))
    page = admin.get("/admin/roles")
    assert page.status_code == 200 and "manage-people" in page.text
    held = {"admin:administer-site", "admin:manage-people", "admin:view-people", "member:view-people",
            "member:manage-people"}
    form = {name: "1" for name in held}
    assert admin.submit("/admin/roles", form, follow_redirects=False).status_code == 303
    assert member.get("/admin/people/").status_code == 200
    # The admin role keeps administer-site even when the box comes back unticked.
    admin.submit("/admin/roles", {"member:view-people": "1"})
    assert admin.get("/admin/").status_code == 200
    assert member.get("/admin/people/").status_code == 403


def test_search_results_of_a_piloted_or_unshared_plugin_do_not_exist_outside_it(
        make_app, make_user, client_for, fake_plugins, monkeypatch):
    from organet.search import SearchDocument, index
    from organet.search import search as run_search

    monkeypatch.setattr(organet.runtime, "REFRESH_SECONDS", 0)
    fake_plugins("probe", PROBE)
    app = make_app(plugins=["probe"])
    anna = make_user(app, "anna", groups=["wondzorg"])
    piet = make_user(app, "piet", groups=["keuken"])
    partner = make_user(app, "partner", kind="external", role="external", groups=["partners"])
    with db_session(app) as session:
        index(session, SearchDocument(plugin="probe", kind="item", object_id="1", title="Zuurstof protocol",
                                      url="/probe/item/1"))
        index(session, SearchDocument(plugin="probe", kind="item", object_id="2", title="Zuurstof voorraad",
                                      url="/probe/item/2"))
    admin = client_for(app, make_user(app, "root", role="admin"))
    admin.submit("/admin/plugins/probe", {"audience": [str(_group(app, "wondzorg").id)]})

    def found(user):
        with db_session(app) as session:
            app.state.site.state["runtime"].refresh(session)  # as every request does
            person = session.get(User, user.id)
            results = run_search(app.state.site, session, person, "zuurstof")
            return sorted(hit.url for hit in results.hits) if hasattr(results, "hits") else results

    assert found(anna) == ["/probe/item/1", "/probe/item/2"]
    assert found(piet) == []
    assert found(partner) == []
    admin.submit("/admin/plugins/probe", {})
    with db_session(app) as session:
        share(session, "probe", "item", 1, [_group(app, "partners").id])
    assert found(piet) != []
    assert found(partner) == ["/probe/item/1"]


def test_notifications_and_reactions_about_a_piloted_plugin_do_not_reach_outsiders(
        make_app, make_user, client_for, fake_plugins):
    from organet.content.visibility import can_see

    fake_plugins("probe", PROBE + '''

@hookimpl
def object_visible_to(user, session, plugin, kind, object_id):
    return True if plugin == "probe" else None
''')
    app = make_app(plugins=["probe"])
    anna = make_user(app, "anna", groups=["wondzorg"])
    piet = make_user(app, "piet", groups=["keuken"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    admin.submit("/admin/plugins/probe", {"audience": [str(_group(app, "wondzorg").id)]})
    with db_session(app) as session:
        site = app.state.site
        assert can_see(site, session, session.get(User, anna.id), "probe", "item", "1")
        assert not can_see(site, session, session.get(User, piet.id), "probe", "item", "1")
