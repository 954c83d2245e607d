"""The second factor: set-up with a QR code, sign-in with a code or a recovery code, and the role requirement."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import sqlalchemy as sa

from organet.audit.models import AuditRecord
from organet.auth import secondfactor
from organet.auth.models import SecondFactor
from organet.mail.models import Message as MailMessage
from organet.testing import db_session

PASSWORD = "een lange zin als wachtwoord"


def _secret(app, user_id: int) -> str:
    with db_session(app) as session:
        return secondfactor.secret_of(app.state.site, session.get(SecondFactor, user_id))


def _set_up(app, client, user_id: int) -> list[str]:
    started = client.submit("/account/second-factor", {"action": "start"})
    assert started.status_code == 200
    assert 'src="data:image/svg+xml' in started.text
    code = pyotp.TOTP(_secret(app, user_id)).now()
    confirmed = client.submit("/account/second-factor", {"action": "confirm", "code": code})
    assert confirmed.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", confirmed.text)


def _step_back(app, user_id: int) -> None:
    # Let the next code count as new: as if the last accepted code was a minute ago.
    with db_session(app) as session:
        session.get(SecondFactor, user_id).last_step -= 4


def test_set_up_then_sign_in_with_a_code(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    client = client_for(app, anna)
    assert client.get("/account/second-factor").status_code == 200
    codes = _set_up(app, client, anna.id)
    assert len(codes) == 10
    _step_back(app, anna.id)
    browser = client_for(app)
    first = browser.submit("/login", {"login": "anna", "password": PASSWORD}, follow_redirects=False)
    assert first.headers["location"].startswith("/login/second-factor")
    assert browser.get("/", follow_redirects=False).status_code == 303  # half signed in is not signed in
    wrong = browser.submit("/login/second-factor", {"code": "000000"})
    assert wrong.status_code == 401
    code = pyotp.TOTP(_secret(app, anna.id)).now()
    done = browser.submit("/login/second-factor", {"code": code}, follow_redirects=False)
    assert done.status_code == 303
    assert browser.get("/").status_code == 200
    with db_session(app) as session:
        actions = list(session.scalars(sa.select(AuditRecord.action)))
    assert "auth.second_factor.enabled" in actions and "auth.signin.succeeded" in actions


def test_a_code_is_accepted_only_once(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    _set_up(app, client_for(app, anna), anna.id)
    _step_back(app, anna.id)
    code = pyotp.TOTP(_secret(app, anna.id)).now()
    one, two = client_for(app), client_for(app)
    for browser in (one, two):
        browser.submit("/login", {"login": "anna", "password": PASSWORD})
    assert one.submit("/login/second-factor", {"code": code}, follow_redirects=False).status_code == 303
    assert two.submit("/login/second-factor", {"code": code}, follow_redirects=False).status_code == 401


def test_recovery_code_works_once(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    codes = _set_up(app, client_for(app, anna), anna.id)
    for expected in (303, 401):
        browser = client_for(app)
        browser.submit("/login", {"login": "anna", "password": PASSWORD})
        response = browser.submit("/login/second-factor", {"code": codes[0].upper()}, follow_redirects=False)
        assert response.status_code == expected


def test_pending_second_step_expires(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    _set_up(app, client_for(app, anna), anna.id)
    browser = client_for(app)
    browser.submit("/login", {"login": "anna", "password": PASSWORD})
    from organet.auth.models import SignInSession

    with db_session(app) as session:
        for row in session.scalars(sa.select(SignInSession)):
            if row.data.get("pending"):
                row.created_at -= dt.timedelta(minutes=11)
    response = browser.get("/login/second-factor", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_admin_without_second_factor_is_sent_to_set_one_up(make_app, make_user, client_for):
    app = make_app(require_second_factor=True)
    root = make_user(app, "root", role="admin", password=PASSWORD)
    client = client_for(app, root)
    for path in ("/", "/admin/", "/account/security"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/account/second-factor", path
    assert client.submit("/dashboard", {"widget": "x", "action": "hide"}).status_code == 403
    _set_up(app, client, root.id)
    assert client.get("/admin/", follow_redirects=False).status_code == 200
    refused = client.submit("/account/second-factor/off", {"current": PASSWORD})
    assert refused.status_code == 422
    member = client_for(app, make_user(app, "anna"))
    assert member.get("/", follow_redirects=False).status_code == 200


def test_required_roles_are_a_runtime_setting(make_app, make_user, client_for):
    app = make_app(plugin_settings={"auth": {"require_second_factor_for": ["member"]}})
    anna = make_user(app, "anna")
    response = client_for(app, anna).get("/", follow_redirects=False)
    assert response.headers["location"] == "/account/second-factor"


def test_switch_off_needs_the_password_and_is_recorded(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    client = client_for(app, anna)
    _set_up(app, client, anna.id)
    assert client.submit("/account/second-factor/off", {"current": "wrong wrong wrong"}).status_code == 422
    assert client.submit("/account/second-factor/off", {"current": PASSWORD}, follow_redirects=False).status_code == 303
    with db_session(app) as session:
        assert session.get(SecondFactor, anna.id) is None
        assert "auth.second_factor.disabled" in list(session.scalars(sa.select(AuditRecord.action)))


def test_new_recovery_codes_replace_the_old_ones(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    client = client_for(app, anna)
    old = _set_up(app, client, anna.id)
    page = client.submit("/account/recovery-codes", {"current": PASSWORD})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page.text)
    assert len(new) == 10 and not set(new) & set(old)
    browser = client_for(app)
    browser.submit("/login", {"login": "anna", "password": PASSWORD})
    assert browser.submit("/login/second-factor", {"code": old[1]}).status_code == 401


def test_the_secret_is_stored_encrypted_and_an_old_plain_one_is_encrypted_at_its_next_use(app, make_user,
                                                                                          client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    _set_up(app, client_for(app, anna), anna.id)
    secret = _secret(app, anna.id)
    with db_session(app) as session:
        stored = session.get(SecondFactor, anna.id).secret
        assert stored.startswith(secondfactor.ENCRYPTED) and secret not in stored
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        session.get(SecondFactor, anna.id).secret = secret  # as an earlier organet stored it
    _step_back(app, anna.id)
    browser = client_for(app)
    browser.submit("/login", {"login": "anna", "password": PASSWORD})
    done = browser.submit("/login/second-factor", {"code": pyotp.TOTP(secret).now()}, follow_redirects=False)
    assert done.status_code == 303
    with db_session(app) as session:
        assert session.get(SecondFactor, anna.id).secret.startswith(secondfactor.ENCRYPTED)
    assert _secret(app, anna.id) == secret


def test_after_the_secret_key_changed_a_recovery_code_still_signs_in(app, make_user, client_for, monkeypatch):
    anna = make_user(app, "anna", password=PASSWORD)
    codes = _set_up(app, client_for(app, anna), anna.id)
    secret = _secret(app, anna.id)
    _step_back(app, anna.id)
    monkeypatch.setitem(app.state.site.config.site, "secret_key", "a-new-key-after-a-leak-" + "x" * 20)
    browser = client_for(app)
    browser.submit("/login", {"login": "anna", "password": PASSWORD})
    refused = browser.submit("/login/second-factor", {"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 401 and "recovery codes" in refused.text  # says why and what to do
    done = browser.submit("/login/second-factor", {"code": codes[0]}, follow_redirects=False)
    assert done.status_code == 303


def test_an_admin_resets_a_second_step_from_the_command_line(app, make_user, client_for, tmp_path):
    from click.testing import CliRunner

    from organet.cli import main

    anna = make_user(app, "anna", password=PASSWORD)
    _set_up(app, client_for(app, anna), anna.id)
    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{app.state.site.config.database_url}"\n'
                      '[plugins]\nenabled = []\n')
    runner = CliRunner()
    done = runner.invoke(main, ["-c", str(config), "user", "reset-second-factor", "anna"])
    assert done.exit_code == 0, done.output
    browser = client_for(app)
    signed_in = browser.submit("/login", {"login": "anna", "password": PASSWORD}, follow_redirects=False)
    assert not signed_in.headers["location"].startswith("/login/second-factor")  # the password alone again
    again = runner.invoke(main, ["-c", str(config), "user", "reset-second-factor", "anna"])
    assert again.exit_code != 0 and "nothing to reset" in again.output
    with db_session(app) as session:
        record = session.scalar(sa.select(AuditRecord).where(AuditRecord.action == "auth.second_factor.reset"))
        assert record.details == {"was_confirmed": True, "recovery_codes_left": 10}
        mails = session.scalars(sa.select(MailMessage).where(MailMessage.recipient == anna.email)).all()
        assert any("administrator" in mail.text for mail in mails)  # she hears of it


def test_the_hourly_job_encrypts_secrets_an_earlier_version_left_readable(app, make_user, client_for):
    from organet.jobs import run_now

    anna = make_user(app, "anna", password=PASSWORD)
    _set_up(app, client_for(app, anna), anna.id)
    secret = _secret(app, anna.id)
    with db_session(app) as session:
        session.get(SecondFactor, anna.id).secret = secret
    run_now(app.state.site, "auth.prune", "test")
    with db_session(app) as session:
        assert session.get(SecondFactor, anna.id).secret.startswith(secondfactor.ENCRYPTED)
    assert _secret(app, anna.id) == secret


def test_a_code_sent_twice_at_the_same_moment_is_accepted_once(app, make_user, client_for):
    import threading
    import time

    anna = make_user(app, "anna", password=PASSWORD)
    _set_up(app, client_for(app, anna), anna.id)
    _step_back(app, anna.id)
    site = app.state.site
    code = pyotp.TOTP(_secret(app, anna.id)).now()
    accepted: list[bool] = []
    first_holds_the_row = threading.Event()

    def check(first: bool) -> None:
        with site.db.write_session() as session:
            factor = secondfactor.factor_of(session, anna.id, lock=True)
            if first:
                first_holds_the_row.set()
                time.sleep(0.3)  # the second request arrives while the first has not committed yet
            accepted.append(secondfactor.check_code(site, factor, code))

    first = threading.Thread(target=check, args=(True,))
    first.start()
    first_holds_the_row.wait(5)
    second = threading.Thread(target=check, args=(False,))
    second.start()
    first.join(10)
    second.join(10)
    assert sorted(accepted) == [False, True]
