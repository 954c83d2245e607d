"""Deny by default: every route of every installed plugin, anonymously and as a person without permissions."""

from __future__ import annotations

import re

import pytest

from organet.plugins import installed_plugins
from organet.types import PUBLIC, SIGNED_IN

PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-z]+))?}")
DUMMIES = {"int": "1", "path": "x1/y", "uuid": "00000000-0000-0000-0000-000000000001", "float": "1.0"}


def fill(path: str) -> str:
    """Replace every ``{name}`` / ``{name:int}`` in a route path with a dummy value."""
    return PARAM.sub(lambda match: DUMMIES.get(match.group(2) or "", "x1"), path)


def every_route(app):
    """Yield (method, url, permission) for every page and API route the site serves."""
    site = app.state.site
    for plugin, page in site.pages:
        prefix = "" if site.plugins[plugin].info.essential else f"/{plugin}"
        for method in page.methods:
            yield method, prefix + fill(page.path), page.permission, f"{plugin}:{page.name}"
    for plugin, route in site.api_routes:
        for method in route.methods:
            yield method, f"/api/{plugin}/v1" + fill(route.path), route.permission, f"api:{plugin}:{route.name}"


def denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code in (302, 303, 307) and response.headers.get("location", "").startswith("/login")


@pytest.fixture
def full_site(make_app):
    return make_app(plugins=sorted(installed_plugins()))


def test_every_non_public_route_refuses_anonymous_people(full_site, client_for):
    client = client_for(full_site)
    routes = list(every_route(full_site))
    assert len(routes) > 20
    failures = []
    for method, url, permission, name in routes:
        if permission == PUBLIC:
            continue
        response = client.request(method, url, follow_redirects=False)
        if not denied(response):
            failures.append(f"{method} {url} ({name}, {permission}) -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_every_route_with_a_permission_refuses_a_person_holding_none(full_site, make_user, client_for):
    nobody = make_user(full_site, "nobody", role="no-permissions")
    client = client_for(full_site, nobody)
    failures = []
    for method, url, permission, name in every_route(full_site):
        if permission in (PUBLIC, SIGNED_IN):
            continue
        for sender in (client.request, client.api):
            response = sender(method, url, follow_redirects=False)
            if not denied(response):
                failures.append(f"{method} {url} ({name}, {permission}) -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_route_without_a_permission_stops_start_up(make_app, fake_plugins):
    from organet.errors import PluginError

    fake_plugins("careless", '''
        from organet import hookimpl, Page
        from starlette.responses import HTMLResponse

        @hookimpl
        def register_routes():
            return [Page("/", lambda request: HTMLResponse("open"), name="home", permission="")]
    ''')
    with pytest.raises(PluginError, match="without a permission"):
        make_app(plugins=["careless"])
