"""The admin pages and CLI for people, groups and roles."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from organet.audit.models import AuditRecord
from organet.people.models import Group, Membership, RolePermission, User
from organet.testing import db_session


def _admin(app, make_user, client_for):
    return client_for(app, make_user(app, "root", role="admin"))


def test_admin_creates_a_person_and_sets_role_and_kind(app, make_user, client_for):
    admin = _admin(app, make_user, client_for)
    assert admin.get("/admin/people/").status_code == 200
    created = admin.submit("/admin/people/", {"username": "anna", "email": "anna@zorg.example", "given_name": "Anna",
                                              "tussenvoegsel": "van den", "surname": "Berg", "role": "member",
                                              "kind": "employee"}, follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].endswith("/admin/people/anna")
    assert admin.submit("/admin/people/anna", {"action": "save", "role": "editor", "kind": "employee"},
                        follow_redirects=False).status_code == 303
    with db_session(app) as session:
        anna = session.scalar(sa.select(User).where(User.username == "anna"))
        assert (anna.role, anna.sort_name, anna.name) == ("editor", "berg anna", "Anna van den Berg")
        actions = set(session.scalars(sa.select(AuditRecord.action)))
        assert {"people.person.created", "people.role.changed"} <= actions


def test_admin_form_errors_are_shown_not_raised(app, make_user, client_for):
    admin = _admin(app, make_user, client_for)
    make_user(app, "anna")
    response = admin.submit("/admin/people/", {"username": "anna", "email": "nope", "surname": "", "role": "member",
                                               "kind": "employee"})
    assert response.status_code == 422
    assert "This username is taken." in response.text and "e-mail address" in response.text


def test_deactivation_signs_the_person_out_at_once(app, make_user, client_for):
    anna = make_user(app, "anna")
    anna_client = client_for(app, anna)
    assert anna_client.get("/people/").status_code == 200
    admin = _admin(app, make_user, client_for)
    admin.submit("/admin/people/anna", {"action": "deactivate"})
    assert anna_client.get("/people/", follow_redirects=False).status_code in (303, 401, 403)
    with db_session(app) as session:
        row = session.get(User, anna.id)
        assert not row.active and row.deactivated_by_admin and row.deactivated_at is not None
    admin.submit("/admin/people/anna", {"action": "reactivate"})
    with db_session(app) as session:
        assert session.get(User, anna.id).active


def test_admin_builds_groups_with_parent_and_members(app, make_user, client_for):
    admin = _admin(app, make_user, client_for)
    make_user(app, "anna")
    assert admin.submit("/admin/groups/", {"name": "Zorg", "kind": "department"},
                        follow_redirects=False).status_code == 303
    assert admin.submit("/admin/groups/", {"name": "Wondzorg", "kind": "department", "parent": "zorg"},
                        follow_redirects=False).status_code == 303
    page = admin.get("/admin/groups/wondzorg")
    assert 'data-person-picker="/api/people/v1/picker"' in page.text
    admin.submit("/admin/groups/wondzorg", {"action": "add-member", "person": "anna", "member_role": "manager"})
    unknown = admin.submit("/admin/groups/wondzorg", {"action": "add-member", "person": "ghost"})
    assert unknown.status_code == 422 and "nobody" in unknown.text
    cycle = admin.submit("/admin/groups/zorg", {"action": "save", "name": "Zorg", "kind": "department",
                                                "parent": "wondzorg"})
    assert cycle.status_code == 422
    with db_session(app) as session:
        wond = session.scalar(sa.select(Group).where(Group.slug == "wondzorg"))
        assert wond.parent.slug == "zorg"
        assert session.scalar(sa.select(Group).where(Group.slug == "zorg")).parent_id is None
        membership = session.scalar(sa.select(Membership).where(Membership.group_id == wond.id))
        assert membership.role == "manager"


def test_admin_pages_are_refused_to_members_and_need_csrf(app, make_user, client_for):
    member = client_for(app, make_user(app, "anna"))
    for path in ("/admin/people/", "/admin/people/anna", "/admin/groups/", "/admin/people/import", "/admin/roles"):
        assert member.get(path).status_code == 403, path
    admin = _admin(app, make_user, client_for)
    forged = admin.post("/admin/people/", data={"username": "evil", "email": "e@x.org", "surname": "E"})
    assert forged.status_code == 403


def _cli(app, tmp_path):
    from organet.cli import main

    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{app.state.site.config.database_url}"\n',
                      encoding="utf-8")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["-c", str(config), *args])


def test_cli_user_group_and_role_commands(app, tmp_path):
    cli = _cli(app, tmp_path)
    created = cli("user", "create", "anna", "--surname", "Berg", "--tussenvoegsel", "van den", "--role", "editor")
    assert created.exit_code == 0, created.output
    assert cli("user", "create", "anna").exit_code == 1
    assert cli("group", "create", "Zorg").exit_code == 0
    assert cli("group", "create", "Wondzorg", "--parent", "zorg").exit_code == 0
    assert cli("group", "add-member", "wondzorg", "anna", "--manager").exit_code == 0
    listing = cli("group", "list")
    assert "wondzorg" in listing.output and "in zorg" in listing.output
    assert "anna" in cli("user", "list", "-q", "berg").output
    assert cli("role", "grant", "member", "manage-people").exit_code == 0
    assert "manage-people" in cli("role", "list").output
    with db_session(app) as session:
        assert session.get(RolePermission, ("member", "manage-people")) is not None
    assert cli("role", "revoke", "member", "manage-people").exit_code == 0
    assert cli("role", "revoke", "admin", "administer-site").exit_code == 1
    assert cli("role", "grant", "member", "no-such-thing").exit_code == 1
    assert cli("user", "deactivate", "anna").exit_code == 0
    assert "deactivated" in cli("user", "list", "--all").output
    with db_session(app) as session:
        assert not session.scalar(sa.select(User).where(User.username == "anna")).active


def test_cli_export_neutralises_formulas(app, make_user, tmp_path):
    make_user(app, "evil", given_name="=HYPERLINK(\"http://x\")", surname="-Min")
    output = _cli(app, tmp_path)("user", "export").output
    assert "'=HYPERLINK" in output and ",'-Min," in output


def test_site_search_follows_creation_deactivation_and_erasure(app, make_user, client_for):
    admin = _admin(app, make_user, client_for)
    admin.submit("/admin/people/", {"username": "anna", "email": "anna@zorg.example", "given_name": "Anna",
                                    "tussenvoegsel": "van den", "surname": "Bergkamp", "role": "member",
                                    "kind": "employee"})
    assert "/people/anna" in admin.get("/search?q=bergkamp").text
    admin.submit("/admin/people/anna", {"action": "deactivate"})
    assert "/people/anna" not in admin.get("/search?q=bergkamp").text
    admin.submit("/admin/people/anna", {"action": "reactivate"})
    assert "/people/anna" in admin.get("/search?q=bergkamp").text
    admin.submit("/admin/people/anna/erase", {"confirm": "anna"})
    assert "Bergkamp" not in admin.get("/search?q=bergkamp").text


def test_picker_urls_follow_a_mount_prefix(tmp_path):
    import importlib.util
    import re
    from pathlib import Path

    from organet.testing import OrganetClient, create_user, fresh_database, site_config

    example = Path(__file__).resolve().parents[1] / "examples" / "mounted_app.py"
    spec = importlib.util.spec_from_file_location("mounted_app_for_people", example)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = site_config((), database_url=fresh_database((), tmp_path), media_dir=str(tmp_path / "m"))
    outer = module.make_app(config)
    with OrganetClient(outer) as client:
        intranet = outer.routes[1].app
        create_user(intranet, "root", role="admin", password="een lange zin als wachtwoord", groups=["wondzorg"])
        login = client.get("/intranet/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
        client.post("/intranet/login", data={"login": "root", "password": "een lange zin als wachtwoord",
                                             "csrf_token": token})
        page = client.get("/intranet/admin/groups/wondzorg").text
        assert 'data-person-picker="/intranet/api/people/v1/picker"' in page
        assert 'src="/intranet/static/people/picker.js"' in page
