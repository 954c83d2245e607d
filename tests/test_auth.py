"""Sign-in: passwords, throttling, password change and reset, sessions and cookies."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from argon2 import PasswordHasher

from organet.audit.models import AuditRecord
from organet.auth import passwords
from organet.auth.models import SignInSession
from organet.people.models import User
from organet.testing import OrganetClient, db_session

PASSWORD = "een lange zin als wachtwoord"


def _sign_in(client, login="anna", password=PASSWORD, **kwargs):
    return client.submit("/login", {"login": login, "password": password}, follow_redirects=False, **kwargs)


def _actions(app) -> list[str]:
    with db_session(app) as session:
        return list(session.scalars(sa.select(AuditRecord.action).order_by(AuditRecord.seq)))


def test_password_hashes_are_argon2id(app, make_user):
    anna = make_user(app, "anna", password=PASSWORD)
    assert anna.password_hash.startswith("$argon2id$")


def test_sign_in_with_email_address(app, make_user, client_for):
    make_user(app, "anna", password=PASSWORD, email="Anna@Zorg.example")
    client = client_for(app)
    assert _sign_in(client, login="anna@zorg.example").status_code == 303
    assert client.get("/").status_code == 200
    assert "auth.signin.succeeded" in _actions(app)


def test_hash_is_renewed_when_parameters_changed(app, make_user, client_for):
    anna = make_user(app, "anna")
    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    with db_session(app) as session:
        session.get(User, anna.id).password_hash = old
    assert _sign_in(client_for(app)).status_code == 303
    with db_session(app) as session:
        renewed = session.get(User, anna.id).password_hash
    assert renewed != old and renewed.startswith("$argon2id$")


def test_password_rules():
    assert passwords.password_problem("kort genoeg") is not None  # 11 characters
    assert passwords.password_problem("twaalf tekens") is None
    assert passwords.password_problem("de kat zit op de mat en kijkt naar de vogels in de tuin, heel lang " * 2) is None
    for common in ("Welkom2024!!!", "wachtwoord123", "password1234", "qwertyuiop123", "aaaaaaaaaaaaaa",
                   "123456789012345"):
        assert passwords.password_problem(common) is not None, common
    assert passwords.password_problem("anna is de beste", username="anna") is not None


def test_wrong_password_and_unknown_account_look_the_same(app, make_user, client_for):
    make_user(app, "anna", password=PASSWORD)
    wrong = _sign_in(client_for(app), password="nope nope nope")
    unknown = _sign_in(client_for(app), login="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.text.count("not right") == unknown.text.count("not right") == 1
    assert _actions(app) == ["auth.signin.failed", "auth.signin.failed"]


def test_flood_from_one_address_is_blocked_while_the_real_user_signs_in_elsewhere(app, make_user):
    make_user(app, "anna", password=PASSWORD)
    attacker = OrganetClient(app, client=("203.0.113.7", 4000))
    statuses = [_sign_in(attacker, password=f"guess number {n}").status_code for n in range(8)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    blocked = _sign_in(attacker)  # even the right password waits now, from this address
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text
    real = OrganetClient(app, client=("198.51.100.20", 5000))
    assert _sign_in(real).status_code == 303
    assert "auth.signin.throttled" in _actions(app)


def test_throttle_answers_the_same_for_unknown_accounts(app, make_user):
    make_user(app, "anna", password=PASSWORD)
    one = OrganetClient(app, client=("203.0.113.8", 4000))
    two = OrganetClient(app, client=("203.0.113.9", 4000))
    known = [_sign_in(one, password=f"guess {n} guess").status_code for n in range(7)]
    unknown = [_sign_in(two, login="nobody", password=f"guess {n} guess").status_code for n in range(7)]
    assert known == unknown


def test_flood_over_many_accounts_blocks_the_address(make_app, make_user):
    app = make_app(plugin_settings={"auth": {"signin_attempts_per_address": 6}})
    make_user(app, "anna", password=PASSWORD)
    attacker = OrganetClient(app, client=("203.0.113.10", 4000))
    for n in range(6):
        _sign_in(attacker, login=f"user{n}", password="wrong password here")
    assert _sign_in(attacker).status_code == 429
    assert _sign_in(OrganetClient(app, client=("198.51.100.1", 1))).status_code == 303


def test_session_cookie_is_httponly_samesite_lax_and_renewed_at_sign_in(app, make_user, client_for):
    make_user(app, "anna", password=PASSWORD)
    client = client_for(app)
    first = _sign_in(client)
    cookie = first.headers["set-cookie"]
    assert "organet_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie
    old = client.cookies.get("organet_session")
    _sign_in(client)
    new = client.cookies.get("organet_session")
    assert new and new != old
    stale = client_for(app)
    stale.cookies.set("organet_session", old)
    assert stale.get("/", follow_redirects=False).status_code == 303
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SignInSession)) == 1


def test_session_cookie_is_secure_over_https(app, make_user):
    make_user(app, "anna", password=PASSWORD)
    client = OrganetClient(app, base_url="https://testserver")
    assert "Secure" in _sign_in(client).headers["set-cookie"]


def test_a_cookie_copied_before_sign_out_is_refused_after(app, make_user, client_for):
    make_user(app, "anna", password=PASSWORD)
    client = client_for(app)
    _sign_in(client)
    copied = client.cookies.get("organet_session")
    client.submit("/logout", follow_redirects=False)
    thief = client_for(app)
    thief.cookies.set("organet_session", copied)
    assert thief.get("/", follow_redirects=False).status_code == 303


def test_deactivation_ends_an_open_session_at_once(app, make_user, client_for):
    anna = make_user(app, "anna")
    client = client_for(app, anna)
    assert client.get("/").status_code == 200
    with db_session(app) as session:
        session.get(User, anna.id).active = False
    assert client.get("/", follow_redirects=False).status_code == 303


def test_idle_and_absolute_time_outs(app, make_user, client_for):
    anna = make_user(app, "anna")
    idle = client_for(app, anna)
    absolute = client_for(app, anna)
    digests = {}
    with db_session(app) as session:
        rows = session.scalars(sa.select(SignInSession)).all()
        digests = [r.id_digest for r in rows]
        now = dt.datetime.now(dt.UTC)
        rows[0].last_seen_at = now - dt.timedelta(minutes=31)
        rows[1].created_at = now - dt.timedelta(hours=13)
        rows[1].last_seen_at = now
    assert len(digests) == 2
    assert idle.get("/", follow_redirects=False).status_code == 303
    assert absolute.get("/", follow_redirects=False).status_code == 303


def test_sign_out_everywhere_ends_every_session(app, make_user, client_for):
    anna = make_user(app, "anna")
    laptop, phone = client_for(app, anna), client_for(app, anna)
    page = laptop.get("/account/security")
    assert page.status_code == 200 and "Sign out everywhere" in page.text
    assert laptop.submit("/account/sessions/end-all", follow_redirects=False).status_code == 303
    assert phone.get("/", follow_redirects=False).status_code == 303
    assert laptop.get("/", follow_redirects=False).status_code == 303
    assert "auth.signout.everywhere" in _actions(app)


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, make_user, client_for):
    make_user(app, "anna", password=PASSWORD)
    here = client_for(app)
    _sign_in(here)
    elsewhere = client_for(app)
    _sign_in(elsewhere)
    new = "een heel ander lang wachtwoord"
    refused = here.submit("/account/password", {"current": "wrong wrong wrong", "password": new, "password_again": new})
    assert refused.status_code == 422
    weak = here.submit("/account/password", {"current": PASSWORD, "password": "kort", "password_again": "kort"})
    assert weak.status_code == 422
    done = here.submit("/account/password", {"current": PASSWORD, "password": new, "password_again": new},
                       follow_redirects=False)
    assert done.status_code == 303
    assert here.get("/").status_code == 200
    assert elsewhere.get("/", follow_redirects=False).status_code == 303
    assert _sign_in(client_for(app), password=new).status_code == 303
    assert "auth.password.changed" in _actions(app)


def test_must_change_password_blocks_every_other_page(app, make_user, client_for):
    anna = make_user(app, "anna", password=PASSWORD)
    with db_session(app) as session:
        session.get(User, anna.id).must_change_password = True
    client = client_for(app, anna)
    for path in ("/", "/account/security", "/admin/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/account/password", path
    assert client.submit("/dashboard", {"widget": "x", "action": "hide"}).status_code == 403
    assert client.get("/account/password").status_code == 200
    new = "een heel ander lang wachtwoord"
    client.submit("/account/password", {"current": PASSWORD, "password": new, "password_again": new})
    assert client.get("/", follow_redirects=False).status_code == 200


def _reset_link(mails) -> str:
    found = re.search(r"http://[^\s]+/login/reset/[^\s]+", mails[-1]["text"])
    assert found, mails
    return found.group(0).split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")


def test_reset_by_email_works_once(app, make_user, client_for, monkeypatch):
    from organet.auth import resets

    mails: list[dict[str, str]] = []
    monkeypatch.setattr(resets, "send_mail", lambda session, to, subject, text: mails.append(
        {"to": to, "subject": subject, "text": text}) or True)
    make_user(app, "anna", password=PASSWORD)
    signed_in = client_for(app)
    _sign_in(signed_in)
    client = client_for(app)
    asked = client.submit("/login/reset", {"login": "anna"})
    unknown = client.submit("/login/reset", {"login": "nobody"})
    assert asked.status_code == unknown.status_code == 200
    assert asked.text.count("If an account") == unknown.text.count("If an account") == 1
    assert len(mails) == 1 and mails[0]["to"] == "anna@example.org"
    link = _reset_link(mails)
    assert client.get(link).status_code == 200
    new = "een nieuw wachtwoord voor later"
    done = client.submit(link, {"password": new, "password_again": new}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(link).status_code == 410
    assert client.submit(link, {"password": new, "password_again": new}).status_code == 410
    assert signed_in.get("/", follow_redirects=False).status_code == 303  # every session ended
    assert _sign_in(client_for(app), password=new).status_code == 303
    assert "auth.password.reset" in _actions(app)


def test_reset_link_expires(app, make_user, client_for, monkeypatch):
    from organet.auth import resets
    from organet.auth.models import PasswordReset

    mails: list[dict[str, str]] = []
    monkeypatch.setattr(resets, "send_mail", lambda session, to, subject, text: mails.append({"text": text}))
    make_user(app, "anna", password=PASSWORD)
    client = client_for(app)
    client.submit("/login/reset", {"login": "anna@example.org"})
    with db_session(app) as session:
        session.execute(sa.update(PasswordReset).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    assert client.get(_reset_link(mails)).status_code == 410


def test_forged_login_post_without_csrf_token_is_refused(app, make_user, client_for):
    make_user(app, "anna", password=PASSWORD)
    response = client_for(app).post("/login", data={"login": "anna", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403


def test_signin_methods_from_plugins_are_offered_on_the_login_page(app, client_for):
    from organet.hooks import hookimpl
    from organet.types import SignInMethod

    class ExtraMethod:
        @hookimpl
        def register_signin_methods(self):
            return [SignInMethod("sso", "Sign in with <b>SSO</b>", "auth:request_reset")]

    app.state.site.pm.register(ExtraMethod(), name="extra-method")
    page = client_for(app).get("/login")
    assert "Sign in with &lt;b&gt;SSO&lt;/b&gt;" in page.text
    assert 'href="/login/reset"' in page.text


def test_reset_mail_goes_through_the_outbox(app, make_user, client_for):
    from organet.mail.models import Message

    make_user(app, "anna", password=PASSWORD)
    client = client_for(app)
    client.submit("/login/reset", {"login": "anna"})
    with db_session(app) as session:
        message = session.scalar(sa.select(Message))
        assert message.recipient == "anna@example.org"
        text = message.text
    link = re.search(r"/login/reset/\S+", text).group(0)
    assert client.get(link).status_code == 200


def test_a_password_change_is_told_to_the_person_by_mail(app, make_user, client_for):
    from organet.mail.models import Message

    anna = make_user(app, "anna", password=PASSWORD)
    new = "een heel ander lang wachtwoord"
    client_for(app, anna).submit("/account/password", {"current": PASSWORD, "password": new, "password_again": new})
    with db_session(app) as session:
        message = session.scalar(sa.select(Message))
    assert message.recipient == "anna@example.org"
    assert "Your password was changed" in message.text


def test_security_page_in_dutch(app, make_user, client_for):
    client = client_for(app, make_user(app, "anna"))
    page = client.get("/account/security", headers={"accept-language": "nl"})
    assert "Overal uitloggen" in page.text and "Inloggen en beveiliging" in page.text


def test_reset_requests_are_limited_per_address(app, make_user):
    make_user(app, "anna", password=PASSWORD)
    client = OrganetClient(app, client=("203.0.113.50", 1))
    statuses = [client.submit("/login/reset", {"login": "anna"}).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429
    assert OrganetClient(app, client=("203.0.113.51", 1)).submit("/login/reset", {"login": "anna"}).status_code == 200


def test_erasing_a_person_removes_their_sessions_and_tokens(make_app, make_user, client_for):
    import sqlalchemy as sa

    from organet.auth.models import SignInSession
    from organet.testing import db_session

    app = make_app()
    anna = make_user(app, "anna")
    client = client_for(app, anna)
    assert client.get("/").status_code == 200
    with db_session(app) as session:
        app.state.site.hook.on_person_erased(session=session, person=anna)
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SignInSession)) == 0
    assert client.get("/", follow_redirects=False).status_code == 303
