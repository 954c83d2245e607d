"""Property tests on parsers of free-form input: search queries, settings and uploads never end in a crash."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import UploadFile

from organet.config import Config, coerce
from organet.errors import ConfigError, ValidationError
from organet.hostile import live_markup
from organet.search import SearchDocument, index, search, suggest
from organet.testing import db_session
from organet.types import Setting

FIXTURES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(raw=st.one_of(st.text(max_size=50), st.integers(), st.floats(allow_nan=True), st.booleans(),
                     st.lists(st.text(max_size=5), max_size=3), st.none()))
@settings(max_examples=200, deadline=None)
def test_a_setting_is_either_coerced_or_refused_with_a_message(raw):
    for kind, default in ((int, 1), (float, 1.0), (bool, False), (str, ""), (list, [])):
        setting = Setting("value", kind, default, "A value.", example=default, minimum=0 if kind in (int, float)
                          else None, maximum=100 if kind in (int, float) else None)
        try:
            value = coerce(setting, raw, "organet.toml: [plugins.x]")
        except ConfigError as error:
            assert "organet.toml: [plugins.x]" in str(error)
        else:
            assert isinstance(value, kind)


@given(document=st.dictionaries(st.text(max_size=10), st.one_of(
    st.text(max_size=10), st.integers(), st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)),
    max_size=4))
@settings(max_examples=200, deadline=None)
def test_any_configuration_document_is_accepted_or_refused_with_a_message(document):
    try:
        Config.from_dict(document, environ={})
    except ConfigError as error:
        assert str(error)


@pytest.fixture
def searchable(make_app, make_user):
    app = make_app()
    anna = make_user(app, "anna")
    with db_session(app) as session:
        index(session, SearchDocument(plugin="core", kind="note", object_id="1", url="/",
                                      title="Roosterwijziging <b>december</b>",
                                      text="Het rooster <script>alert(1)</script> verandert."))
    return app, anna


@given(query=st.text(max_size=60))
@FIXTURES
def test_any_search_query_answers_without_error_or_live_markup(searchable, query):
    app, anna = searchable
    with db_session(app) as session:
        results = search(app.state.site, session, anna, query)
        hits = suggest(app.state.site, session, anna, query)
    for hit in [*results.hits, *hits]:
        assert not live_markup(str(hit.snippet) + str(hit.title_html))
        assert "<script" not in str(hit.snippet) + str(hit.title_html)


@pytest.fixture
def uploader(make_app, make_user):
    app = make_app()
    return app, make_user(app, "anna")


@given(data=st.binary(max_size=2048), name=st.text(max_size=40))
@FIXTURES
def test_any_upload_is_stored_or_refused_with_a_message(uploader, data, name):
    from organet.content import save_upload

    app, owner = uploader
    upload = UploadFile(file=io.BytesIO(data), filename=name or "file")
    with db_session(app) as session:
        try:
            stored = save_upload(session, app.state.site, upload, owner, "people", "photo", owner.id)
        except ValidationError as error:
            assert str(error)
        else:
            assert stored.content_type and "/" in stored.content_type
