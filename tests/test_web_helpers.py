"""Helpers every view uses: links by route name, plain rows from the database."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request

from organet import web
from organet.db import rows
from organet.people import User
from organet.testing import db_session


def request_for(app, root_path: str = "") -> Request:
    return Request({"type": "http", "app": app, "root_path": root_path, "path": "/", "headers": [],
                    "query_string": b"", "method": "GET"})


def test_path_for_builds_each_link_once_and_keeps_the_mount_point(make_app):
    app = make_app(plugins=["bulletin"])
    request = request_for(app)
    assert web.path_for(request, "bulletin:post", post_id=7) == "/bulletin/posts/7"
    assert web.path_for(request, "bulletin:post", post_id=8) == "/bulletin/posts/8"
    assert web.path_for(request, "bulletin:post", post_id=7) == "/bulletin/posts/7"
    assert app.state.site.state["paths"][("bulletin:post", ("post_id", 7))] == "/bulletin/posts/7"
    # Kept without the mount point, which each request adds.
    assert web.path_for(request_for(app, "/intranet"), "bulletin:post", post_id=7) == "/intranet/bulletin/posts/7"
    assert web.path_for(request, "static-core", path="organet.css") == "/static/core/organet.css"


def test_path_for_starts_over_when_it_has_kept_enough(make_app, monkeypatch):
    monkeypatch.setattr(web, "PATHS_KEPT", 3)
    app = make_app(plugins=["bulletin"])
    request = request_for(app)
    found = [web.path_for(request, "bulletin:post", post_id=i) for i in range(10)]
    assert found == [f"/bulletin/posts/{i}" for i in range(10)]
    assert 0 < len(app.state.site.state["paths"]) <= 3


def test_rows_reads_plain_named_rows_inside_the_transaction(make_app, make_user):
    app = make_app()
    with db_session(app) as session:
        session.add(User(username="bram", email="bram@zorg.example"))  # not flushed: rows() flushes, as execute does
        found = rows(session, sa.select(User.id, User.username).where(User.username == sa.bindparam("name")),
                     {"name": "bram"})
        assert len(found) == 1 and found[0].username == "bram"
        assert not isinstance(found[0], User)
