"""A throw-away plugin "demo" with posts whose visibility a test controls, for the content services' tests."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

DEMO_HOOKS = '''
from organet import SIGNED_IN, NotFound, Page, hookimpl, web

PRIVATE = {}   # object_id -> usernames who may see it; absent: every signed-in person
OWNERS = {}    # object_id -> user id of the author


def post(request):
    object_id = str(request.path_params["id"])
    if not web.site(request).hook.object_visible_to(user=web.user(request), session=web.db(request),
                                                    plugin="demo", kind="post", object_id=object_id):
        raise NotFound("Not found.")
    return web.render(request, "demo/post.html", {"plugin": "demo", "kind": "post", "object_id": object_id,
                                                  "owner": OWNERS.get(object_id)})


@hookimpl
def register_routes():
    return [Page("/posts/{id}", post, name="post", permission=SIGNED_IN)]


@hookimpl
def object_visible_to(user, session, plugin, kind, object_id):
    if plugin != "demo":
        return None
    allowed = PRIVATE.get(object_id)
    return allowed is None or user.username in allowed
'''

DEMO_TEMPLATE = '''{% extends "layout.html" %}
{% block content %}<h1>Post {{ object_id }}</h1>{% include "content/reactions.html" %}{% endblock %}
'''


@pytest.fixture
def demo(make_app, fake_plugins):
    """A site with the "demo" plugin: ``demo.app``, ``demo.private`` (id → usernames), ``demo.owners`` (id → user)."""
    import_name = fake_plugins("demo", DEMO_HOOKS, files={"templates/demo/post.html": DEMO_TEMPLATE})
    app = make_app(plugins=["demo"])
    module = importlib.import_module(import_name + ".plugin")
    return SimpleNamespace(app=app, private=module.PRIVATE, owners=module.OWNERS)
