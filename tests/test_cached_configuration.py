"""web.cached_configuration: admin configuration read once per change, not on every page."""

from __future__ import annotations

import organet.runtime

COUNTER = '''
from organet import hookimpl, Page, SIGNED_IN, web
from organet.core.models import StoredSetting
from starlette.responses import PlainTextResponse
import sqlalchemy as sa

LOADS = []

def load(session):
    LOADS.append(1)
    return session.scalar(sa.select(sa.func.count()).select_from(StoredSetting))

def show(request):
    return PlainTextResponse(str(web.cached_configuration(request, "counter.settings", load)))

def change(request):
    web.db(request).add(StoredSetting(plugin="counter", key=f"k{len(LOADS)}", value=1))
    web.configuration_changed(request)
    return PlainTextResponse("changed")

def change_quietly(request):
    web.db(request).add(StoredSetting(plugin="counter", key=f"q{len(LOADS)}", value=1))
    return PlainTextResponse("changed")

@hookimpl
def register_routes():
    return [Page("/", show, name="show", permission=SIGNED_IN),
            Page("/change", change, name="change", methods=("POST",), permission=SIGNED_IN),
            Page("/quiet", change_quietly, name="quiet", methods=("POST",), permission=SIGNED_IN)]
'''


def test_configuration_is_loaded_once_per_change_and_at_once_after_one(make_app, make_user, client_for,
                                                                        fake_plugins, monkeypatch):
    module = fake_plugins("counter", COUNTER)
    app = make_app(plugins=["counter"])
    client = client_for(app, make_user(app, "anna"))
    first = client.get("/counter/").text
    loads = __import__(f"{module}.plugin", fromlist=["LOADS"]).LOADS
    assert [client.get("/counter/").text for _ in range(5)] == [first] * 5
    assert len(loads) == 1  # read once, not on every page

    # A change made without telling anyone is not seen: the cached value stays.
    assert client.submit("/counter/quiet", {}).status_code == 200
    assert client.get("/counter/").text == first

    # A change announced with configuration_changed is seen on the very next page of this worker.
    assert client.submit("/counter/change", {}).status_code == 200
    assert int(client.get("/counter/").text) == int(first) + 2
    assert len(loads) == 2


def test_another_worker_follows_a_change_at_its_next_refresh(make_app, make_user, client_for, fake_plugins,
                                                             monkeypatch):
    from organet.app import create_app
    from organet.testing import sign_in

    fake_plugins("counter", COUNTER)
    app = make_app(plugins=["counter"])
    anna = make_user(app, "anna")
    client = client_for(app, anna)
    other_worker = create_app(app.state.site.config)
    with client_for(other_worker) as _started:
        elsewhere = sign_in(other_worker, anna)
        before = int(elsewhere.get("/counter/").text)
        assert client.submit("/counter/change", {}).status_code == 200
        monkeypatch.setattr(organet.runtime, "REFRESH_SECONDS", 0)  # the refresh interval has passed
        assert int(elsewhere.get("/counter/").text) == before + 1
