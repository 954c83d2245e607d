"""Activity: one row per person, day and plugin; page views from the pipeline; figures; the adoption page."""

from __future__ import annotations

import datetime as dt
import os
import random

import pytest
import sqlalchemy as sa

from organet import activity
from organet.activity import DayActivity, Event
from organet.testing import db_session


def day_rows(app):
    with db_session(app) as session:
        return session.scalars(sa.select(DayActivity).order_by(DayActivity.plugin)).all()


def test_events_of_a_day_add_up_in_one_row_with_session_time(app, make_user):
    anna = make_user(app, "anna")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with db_session(app) as session:
        for minutes, action in [(0, "sign-in"), (0, "view"), (5, "view"), (12, "contribution"), (120, "view")]:
            activity.write(session, anna.id, "demo", action, now=start + dt.timedelta(minutes=minutes))
    [row] = day_rows(app)
    assert (row.views, row.sign_ins, row.contributions) == (3, 1, 1)
    assert row.seconds == 12 * 60  # the gap of 108 minutes is a new visit, not time spent
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Event)) == 5


def test_page_views_of_plugins_are_recorded_by_the_pipeline(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    client = client_for(demo.app, anna)
    client.get("/demo/posts/1")
    client.get("/demo/posts/2")
    client.get("/notifications")  # an essential plugin's page: not counted as use of a plugin
    client.get("/")
    rows = {row.plugin: row.views for row in day_rows(demo.app)}
    assert rows == {"demo": 2, "core": 1}


def test_anonymous_and_failed_pages_are_not_recorded(demo, make_user, client_for):
    client_for(demo.app).get("/demo/posts/1")
    demo.private["5"] = {"nobody"}
    client_for(demo.app, make_user(demo.app, "anna")).get("/demo/posts/5")
    assert day_rows(demo.app) == []


def test_figures_per_day_week_month_plugin_and_department(app, make_user):
    people = [make_user(app, f"p{n}", groups=["wondzorg" if n % 2 else "ggz"]) for n in range(6)]
    today = dt.datetime.now(dt.UTC).replace(hour=10)
    with db_session(app) as session:
        for n, person in enumerate(people):
            activity.write(session, person.id, "bulletin", "view", now=today - dt.timedelta(days=n * 5))
        activity.write(session, people[0].id, "bulletin", "contribution", now=today)
        activity.write(session, people[1].id, "phonebook", "view", now=today)
    with db_session(app) as session:
        on = today.date()
        assert activity.dau(session, on) == 2
        assert activity.wau(session, on) == 2
        assert activity.mau(session, on) == 6
        per_plugin = {row["plugin"]: row for row in activity.use_per_plugin(session, on - dt.timedelta(days=29), on)}
        assert per_plugin["bulletin"]["people"] == 6 and per_plugin["bulletin"]["contributors"] == 1
        assert activity.contributors_per_plugin(session, on, on) == {"bulletin": 1, "phonebook": 0}
        departments = {row["name"]: row for row in activity.use_per_department(session, on, on)}
        assert departments["Wondzorg"]["active"] == 1 and departments["Ggz"]["active"] == 1
        assert len(activity.daily_series(session, on - dt.timedelta(days=6), on)) == 7


def test_retention_removes_old_raw_events_but_keeps_day_rows(app, make_user):
    anna = make_user(app, "anna")
    now = dt.datetime.now(dt.UTC)
    with db_session(app) as session:
        activity.write(session, anna.id, "demo", "view", now=now - dt.timedelta(days=40))
        activity.write(session, anna.id, "demo", "view", now=now)
        assert activity.prune(session, 14) == 1
    assert len(day_rows(app)) == 2


def test_adoption_page_has_a_chart_and_needs_permission(app, make_user, client_for):
    anna = make_user(app, "anna")
    with db_session(app) as session:
        activity.write(session, anna.id, "bulletin", "view")
    assert client_for(app, anna).get("/admin/adoption").status_code == 403
    page = client_for(app, make_user(app, "root", role="admin")).get("/admin/adoption")
    assert page.status_code == 200 and "<svg" in page.text and "<rect" in page.text and "<script" not in \
        page.text.split("<main", 1)[1]


def test_bar_chart_escapes_labels():
    svg = activity.bar_chart([("<script>", 3), ("b", 1)], "<b>label</b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


YEAR_PEOPLE = 5000
SQLITE_LIMIT_MB = 80


@pytest.mark.heavy
def test_a_year_of_activity_for_5000_people_stays_small(app, database_kind):
    """5,000 people, 250 working days, 60% active a day in 2 plugins on average: ~1.5 million day rows."""
    rng = random.Random(8)
    plugins = ["core", "phonebook", "bulletin", "documents", "news", "reservations"]
    start = dt.date(2025, 1, 1)
    days = [start + dt.timedelta(days=n) for n in range(365) if (start + dt.timedelta(days=n)).weekday() < 5][:250]
    table = DayActivity.__table__
    total = 0
    with app.state.site.db.engine.begin() as connection:
        for day in days:
            rows = []
            for user_id in range(1, YEAR_PEOPLE + 1):
                if rng.random() < 0.6:
                    for plugin in rng.sample(plugins, rng.choice((1, 2, 3))):
                        rows.append({"day": day, "user_id": user_id, "plugin": plugin, "views": rng.randint(1, 30),
                                     "sign_ins": 1, "contributions": rng.choice((0, 0, 0, 1)),
                                     "seconds": rng.randint(30, 3600), "last_seen": 0})
            connection.execute(sa.insert(table), rows)
            total += len(rows)
    with db_session(app) as session:
        assert activity.mau(session, days[-1]) > 4900
    if database_kind == "sqlite":
        app.state.site.db.dispose()
        path = app.state.site.db.engine.url.database
        with sa.create_engine(f"sqlite:///{path}").connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
        size_mb = os.path.getsize(path) / 1e6
        limit = SQLITE_LIMIT_MB
    else:
        with db_session(app) as session:
            size_mb = session.scalar(sa.text("SELECT pg_total_relation_size('activity_days')")) / 1e6
        limit = 200
    print(f"\n{total} day rows, {size_mb:.1f} MB on {database_kind}")
    assert size_mb < limit


def test_sign_in_is_recorded(app, make_user, client_for):
    make_user(app, "anna", password="een lange zin als wachtwoord")
    client = client_for(app)
    client.submit("/login", {"login": "anna", "password": "een lange zin als wachtwoord"})
    rows = {row.plugin: row.sign_ins for row in day_rows(app)}
    assert rows.get("auth") == 1


def test_day_rows_count_the_days_of_the_sites_time_zone(app, make_user, monkeypatch):
    anna = make_user(app, "anna")
    late = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 25th in Amsterdam
    zone = activity.recording.site_time_zone(app.state.site)
    assert str(zone) == "Europe/Amsterdam"
    with db_session(app) as session:
        activity.write(session, anna.id, "demo", "view", now=late, time_zone=zone)
        activity.write(session, anna.id, "other", "view", now=late)  # without a zone: the UTC day
    assert {row.plugin: row.day for row in day_rows(app)} == {"demo": dt.date(2026, 11, 25),
                                                              "other": dt.date(2026, 11, 24)}
    # A contribution recorded in a request's transaction uses the site's zone too.
    monkeypatch.setattr(activity.recording.dt, "datetime", _FrozenAt(late))
    with db_session(app) as session:
        activity.record(session, anna.id, "third", "contribution")
    assert {row.plugin: row.day for row in day_rows(app)}["third"] == dt.date(2026, 11, 25)


class _FrozenAt:
    """Stands in for ``datetime.datetime`` in organet.activity.recording: ``now()`` is a fixed moment."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self, tz: dt.tzinfo | None = None) -> dt.datetime:
        return self.moment.astimezone(tz) if tz else self.moment
