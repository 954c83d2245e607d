"""The HR import as a lifecycle: bad files, re-imports, joiners, movers, leavers, plugin columns, CSV safety."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from organet.exports import csv_safe, csv_text
from organet.people import ImportColumn, hr_import
from organet.people.models import Group, Membership, User
from organet.testing import db_session

HEADER = "employee_id;username;email;given_name;tussenvoegsel;surname;department;department_code\n"
GOOD = HEADER + (
    "1001;aberg;anna@zorg.example;Anna;van den;Berg;Wondzorg;WZ\n"
    "1002;pjansen;piet@zorg.example;Piet;;Jansen;Keuken;KK\n"
)


def run(app, text, **options):
    with db_session(app) as session:
        return hr_import.run_import(app.state.site, session, text, **options)


def people(app):
    with db_session(app) as session:
        rows = session.scalars(sa.select(User).order_by(User.username)).all()
        return {u.username: (u.active, u.email, u.surname, sorted(m.group.slug for m in u.memberships)) for u in rows}


def test_dry_run_reports_and_changes_nothing(app):
    report = run(app, GOOD, dry_run=True)
    assert report.joiners == ["aberg", "pjansen"] and not report.applied
    assert sorted(report.groups_created) == ["Keuken", "Wondzorg"]
    assert people(app) == {}


def test_import_creates_joiners_with_departments_and_hr_fields(app):
    report = run(app, GOOD, dry_run=False)
    assert report.applied and report.joiners == ["aberg", "pjansen"]
    assert people(app)["aberg"] == (True, "anna@zorg.example", "Berg", ["wondzorg"])
    with db_session(app) as session:
        anna = session.scalar(sa.select(User).where(User.username == "aberg"))
        assert anna.hr_id == "1001" and "surname" in anna.hr_fields and anna.name == "Anna van den Berg"
        assert session.scalar(sa.select(Group).where(Group.slug == "wondzorg")).hr_id == "WZ"


def test_reimporting_the_same_file_changes_nothing(app):
    run(app, GOOD, dry_run=False)
    before = people(app)
    again = run(app, GOOD, dry_run=False)
    assert again.changes == 0 and not again.movers and not again.joiners and not again.updated
    assert people(app) == before


def test_bad_rows_are_reported_by_line_and_block_the_import(app):
    bad = HEADER + (
        "1001;aberg;anna@zorg.example;Anna;van den;Berg;Wondzorg;WZ\n"
        "1002;pjansen;not-an-address;Piet;;Jansen;Keuken;KK\n"
        ";nobody;x@zorg.example;No;;Id;Keuken;KK\n"
        "1001;dup;dup@zorg.example;Dup;;Licate;Keuken;KK\n"
        "1005;short;row\n"
    )
    report = run(app, bad, dry_run=False)
    assert [p.line for p in report.bad] == [3, 4, 5, 6]
    assert "not-an-address" in report.bad[0].reason and "line 2" in report.bad[2].reason
    assert not report.applied and people(app) == {}
    skipped = run(app, bad, dry_run=False, skip_bad_rows=True)
    assert skipped.applied and set(people(app)) == {"aberg"}


def test_missing_required_column_is_reported_on_line_one(app):
    report = run(app, "employee_id;email\n1;a@b.c\n", dry_run=False)
    assert [(p.line, "surname" in p.reason) for p in report.bad] == [(1, True)]


def test_mover_changes_department_and_keeps_groups_an_admin_gave(app, make_user):
    run(app, GOOD, dry_run=False)
    with db_session(app) as session:
        anna = session.scalar(sa.select(User).where(User.username == "aberg"))
        team = Group(slug="ok-team", name="OK team", kind="team")
        session.add(team)
        session.flush()
        session.add(Membership(user_id=anna.id, group_id=team.id, role="member"))
    moved = GOOD.replace("Anna;van den;Berg;Wondzorg;WZ", "Anna;van den;Berg;Keuken;KK")
    report = run(app, moved, dry_run=False)
    assert report.movers == [{"username": "aberg", "from": "Wondzorg", "to": "Keuken"}]
    assert people(app)["aberg"][3] == ["keuken", "ok-team"]


def test_leavers_are_listed_and_deactivated_only_when_confirmed(app):
    run(app, GOOD, dry_run=False)
    only_anna = HEADER + GOOD.splitlines()[1] + "\n"
    listed = run(app, only_anna, dry_run=False, full=True)
    assert listed.leavers == ["pjansen"] and listed.deactivated == []
    assert people(app)["pjansen"][0] is True
    partial = run(app, only_anna, dry_run=False)
    assert partial.leavers == []
    confirmed = run(app, only_anna, dry_run=False, full=True, confirm_leavers=True)
    assert confirmed.deactivated == ["pjansen"] and people(app)["pjansen"][0] is False


def test_import_never_reactivates_someone_an_admin_deactivated(app, make_user, client_for):
    run(app, GOOD, dry_run=False)
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.submit("/admin/people/aberg", {"action": "deactivate"}, follow_redirects=False).status_code == 303
    report = run(app, GOOD, dry_run=False)
    assert report.kept_deactivated == ["aberg"] and people(app)["aberg"][0] is False


def test_a_returning_leaver_is_brought_back(app):
    run(app, GOOD, dry_run=False)
    run(app, HEADER + GOOD.splitlines()[1] + "\n", dry_run=False, full=True, confirm_leavers=True)
    report = run(app, GOOD, dry_run=False)
    assert report.returned == ["pjansen"] and people(app)["pjansen"][0] is True


def test_plugins_claim_extra_columns(make_app):
    app = make_app(plugin_settings={"people": {"import_columns": [
        *[f"{f}={f}" for f in ("username", "email", "given_name", "tussenvoegsel", "surname", "department")],
        "hr_id=employee_id", "phone=Telefoon"]}})
    stored = {}

    class Phones:
        from organet.hooks import hookimpl

        @hookimpl
        def register_import_columns(self):
            def apply(session, person, value):
                if not value.startswith("0"):
                    from organet import ValidationError

                    raise ValidationError(f"{value} is not a phone number")
                stored[person.username] = value

            return [ImportColumn("phone", "Work phone", apply)]

    app.state.site.pm.register(Phones(), name="phones-test")
    text = "employee_id,username,email,surname,department,Telefoon\n1,anna,a@z.example,Berg,Zorg,0612345678\n" \
           "2,piet,p@z.example,Jansen,Zorg,+31 6\n"
    report = run(app, text, dry_run=False)
    assert [(p.line, "phone" in p.reason) for p in report.bad] == [(3, True)] and not report.applied
    assert report.joiners == ["anna"]
    report = run(app, text, dry_run=False, skip_bad_rows=True)
    assert report.applied and stored == {"anna": "0612345678"}


def test_hr_fields_are_read_only_in_the_profile(app, client_for):
    run(app, GOOD, dry_run=False)
    with db_session(app) as session:
        anna = session.scalar(sa.select(User).where(User.username == "aberg"))
        session.expunge(anna)
    client = client_for(app, anna)
    form = client.get("/people/aberg/edit").text
    assert 'name="surname" value="Berg" readonly' in form
    client.submit("/people/aberg/edit", {"surname": "Anders", "email": "x@y.z", "language": "nl"})
    assert people(app)["aberg"][1:3] == ("anna@zorg.example", "Berg")


def test_cli_import_dry_run_then_apply(app, tmp_path):
    from organet.cli import main

    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{app.state.site.config.database_url}"\n',
                      encoding="utf-8")
    source = tmp_path / "hr.csv"
    source.write_text(GOOD, encoding="utf-8")
    runner = CliRunner()
    dry = runner.invoke(main, ["-c", str(config), "user", "import", str(source), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would create 2" in dry.output and people(app) == {}
    done = runner.invoke(main, ["-c", str(config), "user", "import", str(source)])
    assert done.exit_code == 0 and "Did create 2" in done.output
    source.write_text(GOOD + "9;bad;nope;X;;Y;Z;Z\n", encoding="utf-8")
    refused = runner.invoke(main, ["-c", str(config), "user", "import", str(source)])
    assert refused.exit_code == 1 and "line 4" in refused.output
    listing = runner.invoke(main, ["-c", str(config), "user", "list"])
    assert "aberg" in listing.output
    exported = runner.invoke(main, ["-c", str(config), "user", "export"])
    assert exported.output.splitlines()[0].endswith("department") and "aberg" in exported.output


def test_admin_upload_shows_the_dry_run_then_applies(app, make_user, client_for):
    admin = client_for(app, make_user(app, "root", role="admin"))
    upload = admin.post("/admin/people/import", data={"csrf_token": admin.csrf},
                        files={"file": ("hr.csv", GOOD.encode(), "text/csv")}, follow_redirects=False)
    assert upload.status_code == 303
    report_url = upload.headers["location"]
    page = admin.get(report_url)
    assert page.status_code == 200 and "aberg" in page.text and people(app) == {"root": people(app)["root"]}
    assert admin.submit(report_url, {}, follow_redirects=False).status_code == 303
    assert "aberg" in people(app)
    member = client_for(app, make_user(app, "anna"))
    assert member.get(report_url).status_code == 403


def test_csv_safe_neutralises_formulas():
    assert [csv_safe(v) for v in ("=1+1", "+31", "-x", "@SUM(A1)", "\tx", "Anna", None, -3, 2.5)] == \
        ["'=1+1", "'+31", "'-x", "'@SUM(A1)", "'\tx", "Anna", "", "-3", "2.5"]
    text = csv_text(["name"], [["=HYPERLINK(\"http://evil\")"]])
    assert "'=HYPERLINK" in text


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=20)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), max_size=8), st.sampled_from([",", ";", "\t"]))
def test_parser_reads_back_what_a_csv_writer_wrote(rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["employee_id", "email", "surname"])
    for number, (_a, email, surname) in enumerate(rows, start=1):
        writer.writerow([str(number), email, surname])
    mapping = {"hr_id": "employee_id", "email": "email", "surname": "surname"}
    parsed, problems = hr_import.parse(buffer.getvalue(), mapping)
    good = {row.values["hr_id"]: row.values for row in parsed if "_bad" not in row.values}
    for number, (_a, email, surname) in enumerate(rows, start=1):
        values = good.get(str(number))
        if values is not None:
            assert (values["email"], values["surname"]) == (email.strip(), surname.strip())
    assert len(good) + len(problems) >= len([r for r in rows if any(c.strip() for c in r[1:])])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_crashes_and_every_problem_has_a_line(text):
    parsed, problems = hr_import.parse(text, {"hr_id": "a", "email": "b", "surname": "c"})
    assert all(problem.line >= 1 and problem.reason for problem in problems)
