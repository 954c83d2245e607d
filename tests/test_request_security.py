"""Every route of every installed plugin: security headers, CSRF on every state change, no state change on GET."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from organet import security
from organet.people.models import RolePermission
from organet.plugins import installed_plugins
from organet.runtime import bump
from organet.testing import db_session

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-z]+))?}")
DUMMIES = {"int": "1", "path": "x1/y", "uuid": "00000000-0000-0000-0000-000000000001", "float": "1.0"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
CSRF_MESSAGE = "did not come from this site"


def fill(path: str) -> str:
    return PARAM.sub(lambda match: DUMMIES.get(match.group(2) or "", "x1"), path)


def every_route(app):
    """Yield (method, url, route) for every page and API route of the site."""
    site = app.state.site
    for plugin, page in site.pages:
        prefix = "" if site.plugins[plugin].info.essential else f"/{plugin}"
        for method in page.methods:
            yield method, prefix + fill(page.path), page
    for plugin, route in site.api_routes:
        for method in route.methods:
            yield method, f"/api/{plugin}/v1" + fill(route.path), route


@pytest.fixture
def full_site(make_app, make_user, client_for):
    """A site with every installed plugin, and a client for an admin who holds every permission."""
    app = make_app(plugins=sorted(installed_plugins()))
    root = make_user(app, "root", role="admin", groups=["wondzorg"])
    with db_session(app) as session:
        held = set(session.scalars(sa.select(RolePermission.permission).where(RolePermission.role == "admin")))
        for name in app.state.site.permissions:
            if name not in held:
                session.add(RolePermission(role="admin", permission=name))
        bump(session)
    return app, client_for(app, root)


def _check_headers(response, route, signed_in: bool) -> list[str]:
    problems = []
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    script_src = re.search(r"script-src ([^;]*)", policy)
    if not script_src or "'unsafe-inline'" in script_src.group(1) or "'unsafe-eval'" in script_src.group(1):
        problems.append(f"script-src allows inline script or is missing: {policy!r}")
    frame = re.search(r"frame-ancestors ([^;]*)", policy)
    wanted = "'self'" if getattr(route, "embeddable", False) else "'none'"
    if not frame or frame.group(1).strip() != wanted:
        problems.append(f"frame-ancestors is not {wanted}: {policy!r}")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not headers.get("referrer-policy"):
        problems.append("no Referrer-Policy")
    if signed_in and "no-store" not in headers.get("cache-control", ""):
        problems.append(f"Cache-Control is {headers.get('cache-control')!r} on a signed-in page")
    if "text/html" in headers.get("content-type", ""):
        if INLINE_SCRIPT.search(response.text):
            problems.append("an inline <script> in the page")
        if EVENT_HANDLER.search(response.text):
            problems.append("an inline event handler (on...=) in the page")
    return problems


def test_every_get_route_sends_the_security_headers(full_site, client_for):
    app, admin = full_site
    anonymous = client_for(app)
    failures = []
    for method, url, route in every_route(app):
        if method != "GET":
            continue
        for client, signed_in in ((admin, True), (anonymous, False)):
            response = client.get(url, follow_redirects=False)
            for problem in _check_headers(response, route, signed_in):
                failures.append(f"GET {url} ({'admin' if signed_in else 'anonymous'}, {response.status_code}): "
                                f"{problem}")
    assert not failures, "\n".join(failures)


def test_error_and_static_responses_send_the_security_headers(full_site):
    _app, admin = full_site
    for url in ("/no/such/page", "/static/core/organet.css", "/api/openapi.json", "/healthz"):
        response = admin.get(url)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url


def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(full_site):
    app, admin = full_site
    failures = []
    checked = 0
    for method, url, _route in every_route(app):
        if method not in security.UNSAFE_METHODS:
            continue
        checked += 1
        # JSON errors for pages too, so that the reason (not only the status) can be checked.
        if url.startswith("/api/"):
            response = admin.request(method, url, json={}, headers={"accept": "application/json"},
                                     follow_redirects=False)
        else:
            response = admin.request(method, url, data={"x": "1"}, headers={"accept": "application/json"},
                                     follow_redirects=False)
        if response.status_code != 403 or CSRF_MESSAGE not in response.text:
            failures.append(f"{method} {url} -> {response.status_code}")
    assert checked > 10
    assert not failures, "\n".join(failures)


def test_a_wrong_csrf_token_is_refused_too(full_site):
    _app, admin = full_site
    response = admin.post("/dashboard", data={"widget": "x", "action": "hide", "csrf_token": "0" * 64})
    assert response.status_code == 403


def _row_counts(app) -> dict[str, int]:
    engine = app.state.site.db.engine
    names = sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        return {name: connection.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
                for name in names if not name.startswith("alembic_version")}


def test_no_get_route_changes_the_number_of_rows(full_site, client_for):
    app, admin = full_site
    anonymous = client_for(app)
    admin.get("/")  # a first visit may make the person's own defaults; that is not what this test is about
    before = _row_counts(app)
    for method, url, _route in every_route(app):
        if method == "GET":
            admin.get(url, follow_redirects=False)
            anonymous.get(url, follow_redirects=False)
    after = _row_counts(app)
    # Page views are counted for adoption statistics (the activity plugin): the one write a GET may make.
    changed = {name: (before[name], after.get(name)) for name in before
               if before[name] != after.get(name) and not name.startswith("activity_")}
    assert not changed, f"GET requests changed these tables (rows before, after): {changed}"
