"""A database restart costs a reader nothing: the page is served again on a fresh connection."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa


def _cut_every_connection(database: str) -> int:
    """Do what a database restart does to a site: end every connection to its database."""
    server = sa.create_engine(os.environ["ORGANET_TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        ended = connection.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": database}).scalar()
    server.dispose()
    return int(ended or 0)


def test_a_page_after_the_database_dropped_every_connection_is_served(make_app, make_user, client_for):
    app = make_app(plugins=["bulletin"])
    engine = app.state.site.db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: a SQLite file has no connections to lose")
    client = client_for(app, make_user(app, "anna"))
    assert client.get("/bulletin/").status_code == 200
    assert _cut_every_connection(str(engine.url.database)) >= 1
    response = client.get("/bulletin/")
    assert response.status_code == 200
    assert "Bulletin board" in response.text
    # The API's reads too.
    _cut_every_connection(str(engine.url.database))
    assert client.get("/api/bulletin/v1/posts").status_code == 200
    # A form whose connection is found gone before its view started (looking up the session) is
    # served on a fresh one too: nothing of it had run.
    _cut_every_connection(str(engine.url.database))
    changed = client.submit("/language", {"language": "nl", "next": "/bulletin/"}, follow_redirects=False)
    assert changed.status_code == 303
