"""Change counters and kept fragments: HTML rendered once and kept until a table it shows changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from organet.cache import changes
from organet.core.models import StoredSetting
from organet.people import NAME_COLUMNS, User
from organet.testing import db_session

SETTINGS = "core_settings"


@pytest.fixture
def watched(monkeypatch):
    """Watch ``core_settings`` (any column) and people's names, for this test only."""
    monkeypatch.setattr(changes, "_WATCHED", dict(changes._WATCHED))
    changes.watch_changes(SETTINGS)
    changes.watch_changes("people", NAME_COLUMNS)


def counter(app, table):
    with db_session(app) as session:
        return changes.counters(session).get(table, 0)


def test_a_transaction_that_changes_a_watched_table_raises_its_counter_once(make_app, make_user, watched):
    app = make_app()
    before = counter(app, SETTINGS)
    with db_session(app) as session:
        session.add(StoredSetting(plugin="x", key="a", value=1))
        session.flush()
        session.add(StoredSetting(plugin="x", key="b", value=2))
    assert counter(app, SETTINGS) == before + 1
    with db_session(app) as session:
        session.scalar(sa.select(StoredSetting).where(StoredSetting.key == "a")).value = 3
    with db_session(app) as session:
        session.delete(session.scalar(sa.select(StoredSetting).where(StoredSetting.key == "a")))
    with db_session(app) as session:  # an ORM statement, not an object
        session.execute(sa.update(StoredSetting).where(StoredSetting.key == "b").values(value=4))
    assert counter(app, SETTINGS) == before + 4
    with db_session(app) as session:  # reading changes nothing
        session.scalars(sa.select(StoredSetting)).all()
    assert counter(app, SETTINGS) == before + 4


def test_a_rolled_back_change_raises_nothing(make_app, watched):
    app = make_app()
    before = counter(app, SETTINGS)
    with pytest.raises(RuntimeError), db_session(app) as session:
        session.add(StoredSetting(plugin="x", key="a", value=1))
        session.flush()
        raise RuntimeError("the view failed")
    assert counter(app, SETTINGS) == before


def test_only_the_watched_columns_of_a_row_count(make_app, make_user, watched):
    app = make_app()
    anna = make_user(app, "anna")
    before = counter(app, "people")
    with db_session(app) as session:
        session.get(User, anna.id).last_login_at = sa.func.now()  # a sign-in is no change of name
    assert counter(app, "people") == before
    with db_session(app) as session:
        session.get(User, anna.id).surname = "de Vries"
    assert counter(app, "people") == before + 1


def test_a_savepoint_counts_with_its_transaction_and_a_failed_one_takes_nothing_else_back(make_app, watched):
    app = make_app()
    before = counter(app, SETTINGS)
    with db_session(app) as session:
        session.add(StoredSetting(plugin="x", key="outer", value=1))
        session.flush()
        with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
            session.add(StoredSetting(plugin="x", key="outer", value=2))  # the same key: refused, rolled back
            session.flush()
        with session.begin_nested():
            session.add(StoredSetting(plugin="x", key="inner", value=1))
        # A released savepoint raises nothing yet: the transaction may still roll back.
        assert changes.has_pending_changes(session)
        assert changes.counters(session).get(SETTINGS, 0) == before
    assert counter(app, SETTINGS) == before + 1  # once, at the commit, for the outer and the inner change
    with pytest.raises(RuntimeError), db_session(app) as session:
        with session.begin_nested():
            session.add(StoredSetting(plugin="x", key="never", value=1))
        raise RuntimeError("the view failed after its savepoint")
    assert counter(app, SETTINGS) == before + 1


def test_changes_made_without_the_orm_are_counted_when_said(make_app, watched):
    app = make_app()
    before = counter(app, SETTINGS)
    with db_session(app) as session:
        session.connection().execute(sa.insert(StoredSetting.__table__).values(plugin="x", key="c", value=1))
        changes.changed(session, SETTINGS)
    assert counter(app, SETTINGS) == before + 1


SHOWS = '''
from markupsafe import Markup
from organet import hookimpl, Page, SIGNED_IN, ValidationError, web
from organet.core.models import StoredSetting
from starlette.responses import HTMLResponse
import sqlalchemy as sa

RENDERS = []

def render(request):
    RENDERS.append(1)
    keys = web.db(request).scalars(sa.select(StoredSetting.key).order_by(StoredSetting.key)).all()
    return Markup(",".join(keys))

def show(request):
    return HTMLResponse(web.kept_fragment(request, "shows.keys", request.query_params.get("page", ""),
                                          lambda: render(request), tables=("core_settings",)))

def add(request):
    web.db(request).add(StoredSetting(plugin="shows", key=request.query_params["key"], value=1))
    shown = show(request)  # rendered inside the changing transaction
    if request.query_params.get("fail"):
        raise ValidationError("Something was wrong after all: nothing is saved.")
    return shown

@hookimpl
def register_routes():
    return [Page("/", show, name="show", permission=SIGNED_IN),
            Page("/add", add, name="add", methods=("POST",), permission=SIGNED_IN)]
'''


def test_a_fragment_is_rendered_once_and_again_after_any_workers_change(make_app, make_user, client_for,
                                                                         fake_plugins, watched):
    from organet.app import create_app
    from organet.testing import sign_in

    module = fake_plugins("shows", SHOWS)
    renders = __import__(f"{module}.plugin", fromlist=["RENDERS"]).RENDERS
    app = make_app(plugins=["shows"])
    anna = make_user(app, "anna")
    client = client_for(app, anna)
    first = client.get("/shows/").text
    assert [client.get("/shows/").text for _ in range(4)] == [first] * 4
    assert len(renders) == 1
    assert client.get("/shows/?page=2").text == first and len(renders) == 2  # another key, rendered for itself

    other_worker = create_app(app.state.site.config)
    with client_for(other_worker):
        elsewhere = sign_in(other_worker, anna)
        assert "new" in elsewhere.submit("/shows/add?key=new", {}).text
        # The change is seen at once by the first worker: no refresh interval, no message between them.
        assert "new" in client.get("/shows/").text
        assert "new" in client.get("/shows/?page=2").text


def test_a_fragment_rendered_by_a_change_that_rolls_back_is_not_kept(make_app, make_user, client_for,
                                                                     fake_plugins, watched):
    fake_plugins("shows", SHOWS)
    app = make_app(plugins=["shows"])
    client = client_for(app, make_user(app, "anna"))
    assert client.submit("/shows/add?key=zz&fail=1", {}).status_code == 422  # rendered with zz, then rolled back
    assert "zz" not in client.get("/shows/").text


def test_a_transaction_sees_its_own_change_even_where_a_fragment_is_kept(make_app, make_user, client_for,
                                                                        fake_plugins, watched):
    fake_plugins("shows", SHOWS)
    app = make_app(plugins=["shows"])
    client = client_for(app, make_user(app, "anna"))
    assert "mine" not in client.get("/shows/").text  # kept from here on
    assert "mine" in client.submit("/shows/add?key=mine", {}).text


def test_a_fragment_of_a_table_nobody_watches_is_refused(make_app, make_user, client_for):
    from starlette.requests import Request

    from organet import web

    app = make_app()
    request = Request({"type": "http", "app": app, "root_path": "", "path": "/", "headers": [],
                       "query_string": b"", "method": "GET"})
    with pytest.raises(ValueError, match="nobody watches no_such_table"):
        web.kept_fragment(request, "x", "", lambda: Markup(""), tables=("no_such_table",))


def test_a_fragment_is_kept_no_longer_than_its_seconds(make_app, make_user, client_for, fake_plugins, watched,
                                                      monkeypatch):
    import time

    module = fake_plugins("shows", SHOWS)
    renders = __import__(f"{module}.plugin", fromlist=["RENDERS"]).RENDERS
    app = make_app(plugins=["shows"])
    client = client_for(app, make_user(app, "anna"))
    client.get("/shows/")
    client.get("/shows/")
    assert len(renders) == 1
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    client.get("/shows/")
    assert len(renders) == 2
