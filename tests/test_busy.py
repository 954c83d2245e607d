"""SQLite's write lock held too long by someone else: a clear "busy, try again" (503), never a 500."""

from __future__ import annotations

import sqlite3

import pytest

import organet.db


@pytest.fixture
def short_busy_timeout(monkeypatch):
    monkeypatch.setattr(organet.db, "SQLITE_BUSY_TIMEOUT_MS", 100)


def hold_write_lock(app):
    """Open a second connection to the site's SQLite file and take the write lock, as a long writer would."""
    path = app.state.site.db.engine.url.database
    connection = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    return connection


SCRIBE = """
from starlette.responses import JSONResponse, PlainTextResponse

from organet import PUBLIC, ApiRoute, Page, hookimpl, jobs, web


def note(request):
    jobs.enqueue(web.db(request), "scribe.note", {"text": "hello"})
    web.db(request).flush()
    return PlainTextResponse("noted")


def api_note(request):
    jobs.enqueue(web.db(request), "scribe.note", {"text": "hello"})
    web.db(request).flush()
    return JSONResponse({"noted": True})


@hookimpl
def register_routes():
    return [Page("/note", note, name="note", permission=PUBLIC, methods=("POST",)),
            # write=True takes the lock at BEGIN IMMEDIATE, before the view: there the lock error comes.
            Page("/note-at-once", note, name="note_at_once", permission=PUBLIC, methods=("POST",), write=True)]


@hookimpl
def register_api_routes():
    return [ApiRoute("/note", api_note, name="note", permission=PUBLIC, methods=("POST",))]
"""


def test_locked_database_answers_503_busy_not_500(database_kind, short_busy_timeout, fake_plugins, make_app,
                                                   client_for):
    if database_kind != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL has row locks instead")
    fake_plugins("scribe", SCRIBE)
    app = make_app(plugins=["scribe"])
    client = client_for(app)
    client.cookies.set("organet_lang", "en")
    assert client.submit("/scribe/note").text == "noted"
    lock = hold_write_lock(app)
    try:
        page = client.submit("/scribe/note", headers={"accept": "text/html"})
        at_once = client.submit("/scribe/note-at-once", headers={"accept": "text/html"})
        api = client.api("POST", "/api/scribe/v1/note", json={})
    finally:
        lock.rollback()
        lock.close()
    assert page.status_code == 503, page.text
    assert "busy" in page.text.lower() and "try again" in page.text.lower()
    assert page.headers["retry-after"]
    assert at_once.status_code == 503, at_once.text
    assert api.status_code == 503, api.text
    assert api.json()["error"]["code"] == "busy"
    assert client.submit("/scribe/note").text == "noted"  # the lock is gone: an ordinary answer again
