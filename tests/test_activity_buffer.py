"""Page views wait in the worker's buffer and are written together: no write transaction per page."""

from __future__ import annotations

import sqlalchemy as sa

from organet.activity.models import DayActivity
from organet.activity.recording import flush
from organet.testing import db_session


def views(app) -> int:
    with db_session(app) as session:
        return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DayActivity.views), 0))) or 0)


def test_page_views_are_buffered_then_written_together(make_app, make_user, client_for):
    app = make_app()
    app.state.site.state["activity_flush_seconds"] = 3600
    client = client_for(app, make_user(app, "anna"))
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert views(app) == 0
    flush(app.state.site)
    assert views(app) == 3


def test_the_test_kit_writes_page_views_at_once(make_app, make_user, client_for):
    app = make_app()
    client_for(app, make_user(app, "anna")).get("/")
    assert views(app) == 1


def test_views_of_one_person_in_one_flush_add_up_with_the_time_between_them(make_app, make_user):
    import datetime as dt

    from organet.activity.models import Event
    from organet.activity.recording import write_many

    app = make_app()
    anna = make_user(app, "anna")
    start = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    with db_session(app) as session:
        write_many(session, [(anna.id, "core", "view", None, start),
                             (anna.id, "core", "view", None, start + dt.timedelta(seconds=60)),
                             (anna.id, "core", "contribution", "post", start + dt.timedelta(seconds=90))])
    with db_session(app) as session:
        row = session.scalar(sa.select(DayActivity).where(DayActivity.user_id == anna.id))
        assert (row.views, row.contributions, row.seconds) == (2, 1, 90)
        assert session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.user_id == anna.id)) == 3
