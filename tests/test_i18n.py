"""Languages: the choice of language, and dates, times and numbers in the person's language and time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from organet import i18n


@pytest.fixture(autouse=True)
def _restore_language():
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE, "Europe/Amsterdam")


@pytest.mark.parametrize(("header", "expected"), [
    ("nl-NL,nl;q=0.9,en;q=0.8", "nl"), ("en-GB,en;q=0.9", "en"), ("de-DE,en;q=0.5", "en"),
    ("fr-FR", "nl"), ("", "nl"), ("en;q=0.2,nl;q=0.9", "nl"), ("en;q=zero", "nl"), ("en;q=0", "nl"),
])
def test_language_from_the_browser(header, expected):
    assert i18n.pick_language(header) == expected


def test_stored_utc_time_is_shown_in_the_persons_time_zone_and_language():
    moment = dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.UTC)  # 12:30 in Amsterdam (summer time)
    i18n.set_language("nl", "Europe/Amsterdam")
    assert i18n.format_time(moment) == "12:30"
    assert i18n.format_date(moment, "long") == "1 juli 2026"
    assert i18n.format_number(1234.5) == "1.234,5"
    i18n.set_language("en", "Europe/London")
    assert i18n.format_time(moment) in {"11:30 AM", "11:30\u202fAM"}
    assert i18n.format_date(moment, "long") == "July 1, 2026"
    assert i18n.format_number(1234.5) == "1,234.5"


def test_unknown_language_and_time_zone_fall_back():
    i18n.set_language("fr", "Mars/Olympus")
    assert i18n.current_language() == "nl"
    assert str(i18n.current_time_zone()) == "Europe/Amsterdam"


def test_language_choice_is_kept_in_the_profile(app, make_user, client_for):
    from organet.people.models import User
    from organet.testing import db_session

    anna = make_user(app, "anna")
    client_for(app, anna).submit("/language", {"language": "nl", "next": "/"})
    with db_session(app) as session:
        assert session.get(User, anna.id).language == "nl"


def test_language_switch_refuses_other_languages_and_foreign_redirects(app, client_for):
    client = client_for(app)
    assert client.submit("/language", {"language": "xx", "next": "/"}).status_code == 422
    response = client.submit("/language", {"language": "en", "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_templates_translate_escape_and_fill_in_any_placeholder_name(app):
    templates = app.state.site.state["templates"]
    i18n.set_language("nl", "Europe/Amsterdam", app.state.site.state["catalogues"])
    try:
        # The helpers take their own arguments by position, so placeholders may have any name.
        page = templates.from_string(
            '{{ _("%(message)s from %(n)s", message="<b>hoi</b>", n=2) }}|{{ _("Search") }}|'
            '{% trans n=count %}one thing{% pluralize %}%(n)s things{% endtrans %}|'
            '{{ ngettext("%(num)d reaction", "%(num)d reactions", 3) }}').render(count=4)
    finally:
        i18n.set_language("en")
    assert page == "&lt;b&gt;hoi&lt;/b&gt; from 2|Zoeken|4 things|3 reactions"
