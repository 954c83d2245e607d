"""API tokens: shown once, stored hashed, scoped, expiring, revocable, last use recorded; the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import sqlalchemy as sa
from click.testing import CliRunner

from organet.auth import tokens
from organet.auth.models import ApiToken
from organet.people.models import User
from organet.testing import OrganetClient, db_session


def _token(app, username: str, scopes, days=30) -> str:
    with db_session(app) as session:
        owner = session.scalar(sa.select(User).where(User.username == username))
        _row, secret = tokens.create(session, owner, "test", scopes, days)
    return secret


def _bearer(app, secret: str) -> OrganetClient:
    return OrganetClient(app, headers={"authorization": f"Bearer {secret}"})


def test_token_grants_only_its_scopes(app, make_user):
    make_user(app, "root", role="admin")
    client = _bearer(app, _token(app, "root", ["view-audit"]))
    assert client.get("/admin/audit").status_code == 200
    assert client.get("/admin/", follow_redirects=False).status_code == 403


def test_token_never_exceeds_its_owners_permissions(app, make_user):
    make_user(app, "anna", role="member")
    client = _bearer(app, _token(app, "anna", ["view-audit"]))
    assert client.get("/admin/audit").status_code == 403


def test_service_account_token_works_and_records_last_use(app, make_user):
    make_user(app, "hr-koppeling", role="admin", kind="service")
    secret = _token(app, "hr-koppeling", ["view-audit"])
    assert _bearer(app, secret).get("/admin/audit").status_code == 200
    with db_session(app) as session:
        row = session.scalar(sa.select(ApiToken))
        assert row.last_used_at is not None
        assert row.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (row.hint, row.digest)


def test_revoked_expired_and_unknown_tokens_are_refused(app, make_user):
    make_user(app, "root", role="admin")
    revoked, expired = _token(app, "root", ["view-audit"]), _token(app, "root", ["view-audit"])
    with db_session(app) as session:
        rows = session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).all()
        tokens.revoke(session, rows[0])
        rows[1].expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    for secret in (revoked, expired, "ont_made-up", "garbage"):
        assert _bearer(app, secret).get("/admin/audit", follow_redirects=False).status_code in (303, 403), secret


def test_deactivated_owner_makes_the_token_useless(app, make_user):
    root = make_user(app, "root", role="admin")
    secret = _token(app, "root", ["view-audit"])
    with db_session(app) as session:
        session.get(User, root.id).active = False
    assert _bearer(app, secret).get("/admin/audit", follow_redirects=False).status_code != 200


def test_a_bad_bearer_is_not_rescued_by_a_session_cookie(app, make_user, client_for):
    client = client_for(app, make_user(app, "root", role="admin"))
    assert client.get("/admin/audit").status_code == 200
    client.headers["authorization"] = "Bearer ont_wrong"
    assert client.get("/admin/audit", follow_redirects=False).status_code != 200


def test_token_requests_need_no_csrf_token(app, make_user):
    make_user(app, "root", role="admin")
    make_user(app, "koppeling", role="member", kind="service")
    client = _bearer(app, _token(app, "root", ["manage-api-tokens"]))
    response = client.post("/admin/tokens", data={"owner": "koppeling", "name": "sync", "scopes": "manage-api-tokens",
                                                  "days": "30"})
    assert response.status_code == 200
    assert re.search(r"ont_[A-Za-z0-9_-]{40,}", response.text)


def test_make_a_token_from_the_profile_shown_once(app, make_user, client_for):
    editor = make_user(app, "eva", role="editor")
    client = client_for(app, editor)
    made = client.submit("/account/tokens", {"name": "mijn script", "scopes": "create-api-tokens", "days": "30"})
    assert made.status_code == 200
    secret = re.search(r"ont_[A-Za-z0-9_-]{40,}", made.text).group(0)
    assert secret not in client.get("/account/security").text
    assert _bearer(app, secret).get("/account/security").status_code == 200


def test_own_tokens_only_carry_permissions_you_hold(app, make_user, client_for):
    client = client_for(app, make_user(app, "eva", role="editor"))
    response = client.submit("/account/tokens", {"name": "x", "scopes": "administer-site", "days": "30"})
    assert response.status_code == 422
    member = client_for(app, make_user(app, "anna", role="member"))
    assert member.submit("/account/tokens", {"name": "x", "scopes": "view-audit", "days": "30"}).status_code == 403


def test_revoke_own_token_but_not_someone_elses(app, make_user, client_for):
    eva = make_user(app, "eva", role="editor")
    make_user(app, "root", role="admin")
    secret = _token(app, "eva", ["create-api-tokens"])
    other = _token(app, "root", ["view-audit"])
    with db_session(app) as session:
        mine, theirs = session.scalars(sa.select(ApiToken.id).order_by(ApiToken.id)).all()
    client = client_for(app, eva)
    assert client.submit(f"/account/tokens/{theirs}/revoke").status_code == 404
    assert client.submit(f"/account/tokens/{mine}/revoke", follow_redirects=False).status_code == 303
    assert _bearer(app, secret).get("/account/security", follow_redirects=False).status_code == 303
    assert _bearer(app, other).get("/admin/audit").status_code == 200


def test_admin_sees_and_revokes_every_token(app, make_user, client_for):
    make_user(app, "eva", role="editor")
    secret = _token(app, "eva", ["create-api-tokens"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    page = admin.get("/admin/tokens")
    assert page.status_code == 200 and "eva" in page.text and secret not in page.text
    with db_session(app) as session:
        token_id = session.scalar(sa.select(ApiToken.id))
    assert admin.submit(f"/admin/tokens/{token_id}/revoke", follow_redirects=False).status_code == 303
    assert client_for(app, make_user(app, "anna")).get("/admin/tokens").status_code == 403


def test_cli_creates_lists_and_revokes_tokens(app, make_user, tmp_path):
    from organet.cli import main

    make_user(app, "koppeling", role="admin", kind="service")
    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{app.state.site.config.database_url}"\n'
                      '[plugins]\nenabled = []\n')
    runner = CliRunner()
    made = runner.invoke(main, ["-c", str(config), "user", "token", "create", "koppeling", "--name", "hr",
                                "--scope", "view-audit", "--days", "10"])
    assert made.exit_code == 0, made.output
    secret = re.search(r"ont_\S+", made.output).group(0)
    assert _bearer(app, secret).get("/admin/audit").status_code == 200
    listed = runner.invoke(main, ["-c", str(config), "user", "token", "list"])
    assert "koppeling" in listed.output and "active" in listed.output and secret not in listed.output
    bad = runner.invoke(main, ["-c", str(config), "user", "token", "create", "koppeling", "--name", "x",
                               "--scope", "no-such-thing"])
    assert bad.exit_code != 0 and "Unknown permission" in bad.output
    with db_session(app) as session:
        token_id = session.scalar(sa.select(ApiToken.id))
    revoked = runner.invoke(main, ["-c", str(config), "user", "token", "revoke", str(token_id)])
    assert revoked.exit_code == 0
    assert _bearer(app, secret).get("/admin/audit", follow_redirects=False).status_code != 200
