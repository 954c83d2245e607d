"""Privacy: a person's data export, erasure through every plugin, and the retention job."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from organet.audit.models import AuditRecord
from organet.db import utcnow
from organet.hooks import hookimpl
from organet.people.models import Membership, User
from organet.testing import db_session


class Notes:
    """A stand-in plugin that holds a note about people."""

    def __init__(self, fail: bool = False) -> None:
        self.notes = {"anna": "likes tea"}
        self.fail = fail

    @hookimpl
    def export_person_data(self, session, person):
        return {"note": self.notes[person.username]} if person.username in self.notes else {}

    @hookimpl
    def on_person_erased(self, session, person):
        if self.fail:
            raise RuntimeError("disk on fire")
        self.notes.pop(person.username, None)


def test_person_downloads_their_data_with_every_plugins_part(app, make_user, client_for):
    app.state.site.pm.register(Notes(), name="notes")
    anna = make_user(app, "anna", given_name="Anna", surname="Berg", groups=["wondzorg"])
    response = client_for(app, anna).get("/people/anna/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    data = response.json()
    assert data["people"]["surname"] == "Berg" and data["people"]["groups"][0]["slug"] == "wondzorg"
    assert data["notes"] == {"note": "likes tea"}


def test_export_of_someone_else_is_refused_but_allowed_to_people_managers(app, make_user, client_for):
    make_user(app, "anna")
    assert client_for(app, make_user(app, "piet")).get("/people/anna/export").status_code == 403
    assert client_for(app, make_user(app, "root", role="admin")).get("/people/anna/export").status_code == 200


def test_erasure_runs_every_plugin_and_anonymises_the_person(app, make_user, client_for):
    notes = Notes()
    app.state.site.pm.register(notes, name="notes")
    anna = make_user(app, "anna", given_name="Anna", surname="Berg", groups=["wondzorg"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.get("/admin/people/anna/erase").status_code == 200
    assert admin.submit("/admin/people/anna/erase", {"confirm": "wrong"}).status_code == 422
    assert admin.submit("/admin/people/anna/erase", {"confirm": "anna"}, follow_redirects=False).status_code == 303
    assert notes.notes == {}
    with db_session(app) as session:
        row = session.get(User, anna.id)
        assert (row.username, row.email, row.given_name, row.surname, row.active) == \
            (f"erased-{anna.id}", f"erased-{anna.id}@invalid", "", "", False)
        assert row.erased_at is not None and row.password_hash is None
        assert session.scalar(sa.select(sa.func.count()).select_from(Membership)
                              .where(Membership.user_id == anna.id)) == 0
        record = session.scalar(sa.select(AuditRecord).where(AuditRecord.action == "people.person.erased"))
        assert record is not None and record.target == f"person:{anna.id}" and "Berg" not in str(record.details)
    assert admin.get("/people/anna").status_code == 404


def test_a_failing_plugin_does_not_stop_the_others(app, make_user):
    from organet.people.privacy import erase_person

    broken, working = Notes(fail=True), Notes()
    app.state.site.pm.register(broken, name="broken")
    app.state.site.pm.register(working, name="working")
    anna = make_user(app, "anna")
    with db_session(app) as session:
        failures = erase_person(app.state.site, session, session.get(User, anna.id), "test")
    assert list(failures) == ["broken"] and working.notes == {}
    with db_session(app) as session:
        assert session.get(User, anna.id).erased_at is not None


def test_members_cannot_erase(app, make_user, client_for):
    make_user(app, "anna")
    client = client_for(app, make_user(app, "piet"))
    assert client.submit("/admin/people/anna/erase", {"confirm": "anna"}).status_code == 403


def test_retention_job_erases_people_deactivated_long_ago(make_app, make_user):
    from organet.jobs import run_now

    app = make_app(plugin_settings={"people": {"erase_deactivated_after_days": 30}})
    old, recent, active = make_user(app, "old"), make_user(app, "recent"), make_user(app, "active")
    with db_session(app) as session:
        for person, days in ((old, 40), (recent, 5)):
            row = session.get(User, person.id)
            row.active, row.deactivated_at = False, utcnow() - dt.timedelta(days=days)
    run_now(app.state.site, "people.retention", "test-worker")
    with db_session(app) as session:
        assert session.get(User, old.id).erased_at is not None
        assert session.get(User, recent.id).erased_at is None
        assert session.get(User, active.id).erased_at is None


def test_erasure_drops_stored_hr_uploads_that_mention_the_person(app, make_user):
    from organet.people.models import ImportRun
    from organet.people.privacy import erase_person

    anna = make_user(app, "anna", email="anna@zorg.example")
    with db_session(app) as session:
        session.add(ImportRun(filename="a.csv", content="employee_id,email\n1,anna@zorg.example\n"))
        session.add(ImportRun(filename="b.csv", content="employee_id,email\n2,piet@zorg.example\n"))
    with db_session(app) as session:
        erase_person(app.state.site, session, session.get(User, anna.id), "test")
    with db_session(app) as session:
        assert list(session.scalars(sa.select(ImportRun.filename))) == ["b.csv"]
