"""The audit record: appends in the request's transaction, a hash chain that shows edits, the admin page, the CLI."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from click.testing import CliRunner

from organet import audit
from organet.audit.models import AuditRecord
from organet.testing import db_session


def _tamper(app, statement: str) -> None:
    with db_session(app) as session:
        if session.bind.dialect.name == "postgresql":
            # The append-only trigger refuses edits; an attacker with owner rights drops it first.
            session.execute(sa.text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        session.execute(sa.text(statement))


def test_records_form_a_chain_that_verifies(app, make_user):
    anna = make_user(app, "anna")
    with db_session(app) as session:
        audit.record(session, anna, "test.first", target="person:anna", details={"from": "a", "to": "b"})
        audit.record(session, "cli", "test.second")
        audit.record(session, None, "test.third")
    with db_session(app) as session:
        rows = session.scalars(sa.select(AuditRecord).order_by(AuditRecord.seq)).all()
        assert [r.action for r in rows] == ["test.first", "test.second", "test.third"]
        assert rows[0].actor_name == "anna" and rows[0].actor_id == anna.id
        assert rows[1].prev_hash == rows[0].hash
        result = audit.verify(session)
    assert result.ok and result.checked == 3


def test_an_edited_record_is_reported_by_verify(app):
    with db_session(app) as session:
        for number in range(5):
            audit.record(session, "cli", "test.step", target=f"step:{number}")
    _tamper(app, "UPDATE audit_records SET target = 'step:x' WHERE seq = 3")
    with db_session(app) as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.broken_seq == 3
    assert result.checked == 2


def test_a_removed_record_is_reported_by_verify(app):
    with db_session(app) as session:
        for number in range(4):
            audit.record(session, "cli", "test.step", target=f"step:{number}")
    _tamper(app, "DELETE FROM audit_records WHERE seq = 2")
    with db_session(app) as session:
        assert audit.verify(session).broken_seq == 3


def test_the_last_record_removed_is_reported_through_the_head(app):
    with db_session(app) as session:
        for number in range(3):
            audit.record(session, "cli", "test.step", target=f"step:{number}")
    _tamper(app, "DELETE FROM audit_records WHERE seq = 3")
    with db_session(app) as session:
        assert not audit.verify(session).ok


def test_a_rolled_back_change_leaves_no_record(app):
    try:
        with db_session(app) as session:
            audit.record(session, "cli", "test.never")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)) == 0
        audit.record(session, "cli", "test.after")
    with db_session(app) as session:
        assert audit.verify(session).ok


def test_concurrent_appends_never_fork_the_chain(app):
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        for number in range(8):
            for _attempt in range(20):
                try:
                    with db_session(app) as session:
                        audit.record(session, name, "test.concurrent", target=str(number))
                    break
                except Exception as error:  # Busy on SQLite: try again, as a person would
                    if "busy" not in str(error).lower() and "locked" not in str(error).lower():
                        errors.append(error)
                        return
    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with db_session(app) as session:
        result = audit.verify(session)
        seqs = list(session.scalars(sa.select(AuditRecord.seq).order_by(AuditRecord.seq)))
    assert result.ok
    assert seqs == list(range(1, 33))


def test_admin_page_filters_by_actor_and_action(app, make_user, client_for):
    admin = make_user(app, "root", role="admin")
    with db_session(app) as session:
        audit.record(session, admin, "auth.signin.succeeded", target="person:root")
        audit.record(session, "cli", "people.role.changed", target="person:<script>x</script>")
    client = client_for(app, admin)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "auth.signin.succeeded" in page.text and "people.role.changed" in page.text
    assert "<script>x</script>" not in page.text
    only_root = client.get("/admin/audit", params={"actor": "root"})
    assert "auth.signin.succeeded" in only_root.text and "people.role.changed" not in only_root.text
    only_people = client.get("/admin/audit", params={"action": "people."})
    assert "people.role.changed" in only_people.text and "auth.signin.succeeded" not in only_people.text
    assert client.get("/admin/audit", params={"since": "2000-01-01", "until": "2000-01-02"}).text.count("<tr>") == 0


def test_admin_page_pages_through_older_records(app, make_user, client_for):
    admin = make_user(app, "root", role="admin")
    with db_session(app) as session:
        for number in range(60):
            audit.record(session, "cli", "test.step", target=f"step:{number}")
    client = client_for(app, admin)
    first = client.get("/admin/audit")
    assert "step:59" in first.text and "step:5<" not in first.text
    second = client.get("/admin/audit", params={"before": "11"})
    assert "step:9<" in second.text and "step:10<" not in second.text


def test_audit_page_is_403_for_members(app, make_user, client_for):
    client = client_for(app, make_user(app, "anna"))
    assert client.get("/admin/audit").status_code == 403


def test_cli_lists_and_verifies(app, tmp_path, monkeypatch):
    from organet.cli import main

    url = app.state.site.config.database_url
    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{url}"\n[plugins]\nenabled = []\n')
    with db_session(app) as session:
        audit.record(session, "cli", "test.listed", target="thing:1")
    runner = CliRunner()
    listed = runner.invoke(main, ["-c", str(config), "audit", "list"])
    assert listed.exit_code == 0, listed.output
    assert "test.listed" in listed.output
    verified = runner.invoke(main, ["-c", str(config), "audit", "verify"])
    assert verified.exit_code == 0 and "intact" in verified.output
    _tamper(app, "UPDATE audit_records SET action = 'test.edited' WHERE seq = 1")
    broken = runner.invoke(main, ["-c", str(config), "audit", "verify"])
    assert broken.exit_code == 1
    assert "record 1" in broken.output


def test_admin_setting_and_audience_changes_are_recorded(make_app, make_user, client_for):
    app = make_app(plugins=["bulletin"])
    admin = client_for(app, make_user(app, "root", role="admin", groups=["wondzorg"]))
    response = admin.submit("/admin/plugins/auth", {"setting.idle_minutes": "20"}, follow_redirects=False)
    assert response.status_code == 303
    from organet.people.models import Group

    with db_session(app) as session:
        group_id = session.scalar(sa.select(Group.id))
    admin.submit("/admin/plugins/bulletin", {"audience": str(group_id)}, follow_redirects=False)
    with db_session(app) as session:
        rows = {r.action: r for r in session.scalars(sa.select(AuditRecord))}
    assert rows["core.settings.changed"].details == {"idle_minutes": {"from": 30, "to": 20}}
    assert rows["core.settings.changed"].actor_name == "root"
    assert rows["core.audience.changed"].details == {"from": [], "to": [group_id]}
