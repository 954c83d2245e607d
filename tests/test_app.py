"""The application: start-up, health check, error pages, sign-in and the dashboard."""

from __future__ import annotations

import re

from organet.testing import db_session


def test_healthz_answers_ok(app, client_for):
    response = client_for(app).get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_dashboard_sends_anonymous_people_to_sign_in(app, client_for):
    response = client_for(app).get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_sign_in_with_password_then_sign_out(app, make_user, client_for):
    make_user(app, "anna", password="een lange zin als wachtwoord")
    client = client_for(app)
    page = client.get("/login")
    assert page.status_code == 200
    response = client.submit("/login", {"login": "anna", "password": "een lange zin als wachtwoord"},
                             follow_redirects=False)
    assert response.status_code == 303
    cookie = client.cookies.get("organet_session")
    assert cookie
    assert client.get("/").status_code == 200
    client.submit("/logout", follow_redirects=False)
    stale = client_for(app)
    stale.cookies.set("organet_session", cookie)
    assert stale.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_gives_the_same_message_as_unknown_account(app, make_user, client_for):
    make_user(app, "anna", password="een lange zin als wachtwoord")
    client = client_for(app)
    wrong = client.submit("/login", {"login": "anna", "password": "nope nope nope"})
    unknown = client.submit("/login", {"login": "nobody", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "not right" in wrong.text and "not right" in unknown.text


def test_forged_post_without_csrf_token_is_refused(app, make_user, client_for):
    anna = make_user(app, "anna")
    client = client_for(app, anna)
    response = client.post("/dashboard", data={"widget": "x", "action": "hide"})
    assert response.status_code == 403


def test_unknown_page_is_404_in_the_layout(app, make_user, client_for):
    client = client_for(app, make_user(app, "anna"))
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<main" in response.text


def test_security_headers_on_every_response(app, make_user, client_for):
    client = client_for(app, make_user(app, "anna"))
    for path in ("/", "/healthz", "/login", "/nothing-here"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"
        assert re.fullmatch(r"app;dur=\d+\.\d\d", headers["server-timing"])  # time spent in organet


def test_admin_section_is_403_for_members(app, make_user, client_for):
    client = client_for(app, make_user(app, "anna"))
    assert client.get("/admin/").status_code == 403
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/plugins").status_code == 200


def test_database_is_fresh_for_each_test(app):
    from organet.people.models import User

    with db_session(app) as session:
        assert session.query(User).count() == 0


def test_error_pages_keep_the_layout_and_navigation_of_the_person(make_app, make_user, client_for):
    app = make_app(plugins=["bulletin"])
    client = client_for(app, make_user(app, "anna"))
    for path, status in (("/admin/", 403), ("/bulletin/posts/999", 404), ("/no/such/page", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert 'class="site-nav"' in response.text, path


def test_requests_run_in_a_few_threads_on_sqlite_and_as_configured(make_app, make_user, client_for):
    from organet._pipeline import request_threads

    app = make_app()
    site = app.state.site
    expected = 2 if site.db.engine.dialect.name == "sqlite" else 40
    assert request_threads(site) == expected
    configured = make_app(site={"request_threads": 3})
    assert request_threads(configured.state.site) == 3
    # Pages still answer through the limited threads, several in a row.
    client = client_for(configured, make_user(configured, "anna"))
    assert all(client.get("/").status_code == 200 for _ in range(5))


def test_an_error_inside_a_view_is_shown_in_the_persons_language(make_app, make_user, client_for):
    app = make_app(plugins=["bulletin"])
    client = client_for(app, make_user(app, "anna"))
    client.cookies.set("organet_lang", "nl")
    response = client.get("/bulletin/posts/999")  # the view raises NotFound in its own thread
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text and 'lang="nl"' in response.text
