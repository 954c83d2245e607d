"""Languages: Dutch and English catalogues from the core and every plugin, and locale-aware formatting.

Mark interface text with ``_()`` (or ``N_()`` for declarations translated later, such as a
navigation label); in templates use ``{{ _("...") }}`` or ``{% trans %}``. The language of the
current request lives in a context variable, set by the request pipeline from the person's
profile, a ``?lang=`` choice or the browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"

_language: ContextVar[str] = ContextVar("organet_language", default=DEFAULT_LANGUAGE)
_time_zone: ContextVar[str] = ContextVar("organet_time_zone", default="Europe/Amsterdam")
_catalogues: ContextVar[dict[str, Translations] | None] = ContextVar("organet_catalogues", default=None)


def load_catalogues(folders: Iterable[Path]) -> dict[str, Translations]:
    """Read ``locale/<lang>/LC_MESSAGES/messages.po`` from each folder and merge them per language.

    Called once when a site starts (the core's folder first, then each plugin's); the result
    belongs to that site and is made current per request with :func:`set_language`.
    """
    folders = list(folders)
    result: dict[str, Translations] = {}
    for language in LANGUAGES:
        merged = Translations()
        for folder in folders:
            po = folder / "locale" / language / "LC_MESSAGES" / "messages.po"
            if not po.is_file():
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=language)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            merged.merge(Translations(fp=buffer))
        result[language] = merged
    return result


def set_language(language: str, time_zone: str | None = None,
                 catalogues: dict[str, Translations] | None = None) -> None:
    """Make ``language`` (and ``time_zone``, and a site's ``catalogues``) current for this request, job or command."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    if catalogues is not None:
        _catalogues.set(catalogues)
    if time_zone:
        _time_zone.set(time_zone)


@contextmanager
def speaking(language: str, catalogues: dict[str, Translations] | None = None) -> Iterator[None]:
    """Translate into ``language`` inside the block (a text for someone else), then go back.

    ``catalogues`` are the site's (``site.state["catalogues"]``) when none are current yet.
    """
    language_token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    catalogue_token = _catalogues.set(catalogues) if catalogues is not None else None
    try:
        yield
    finally:
        _language.reset(language_token)
        if catalogue_token is not None:
            _catalogues.reset(catalogue_token)


def current_language() -> str:
    """The language of the current request ("nl" or "en")."""
    return _language.get()


def current_time_zone() -> ZoneInfo:
    """The time zone of the current request's person (the site's when they chose none)."""
    try:
        return ZoneInfo(_time_zone.get())
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def gettext(message: str, **params: Any) -> str:
    """Translate ``message`` into the current language; ``%(name)s`` placeholders take ``params``."""
    catalogue = (_catalogues.get() or {}).get(_language.get())
    text = catalogue.gettext(message) if catalogue else message
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """Translate a message with a count; ``%(num)d`` in it is the count."""
    catalogue = (_catalogues.get() or {}).get(_language.get())
    text = catalogue.ngettext(singular, plural, n) if catalogue else (singular if n == 1 else plural)
    return text % {"num": n, **params}


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (declarations, constants)."""
    return message


_ = gettext


def pick_language(accept_language: str, default: str = DEFAULT_LANGUAGE) -> str:
    """Choose "nl" or "en" from an Accept-Language header, best quality first."""
    choices: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        pieces = part.strip().split(";q=")
        tag = pieces[0].strip().lower()[:2]
        try:
            quality = float(pieces[1]) if len(pieces) > 1 else 1.0
        except ValueError:
            quality = 0.0
        if tag in LANGUAGES and quality > 0:  # q=0 means "not this one"
            choices.append((quality, tag))
    return max(choices)[1] if choices else default


def local(moment: dt.datetime) -> dt.datetime:
    """Return an aware datetime in the current person's time zone."""
    return moment.astimezone(current_time_zone())


@functools.lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    # Babel parses the locale again on every call it is given a name; lists format dozens of dates.
    return Locale.parse(language)


@functools.lru_cache(maxsize=4096)
def _date_text(day: dt.date, style: str, language: str) -> str:
    # A page of notices shows the same few days many times over; a day's text never changes.
    return dates.format_date(day, format=style, locale=_locale(language))


def format_datetime(moment: dt.datetime | None, style: str = "medium") -> str:
    """Format a stored (UTC) time in the current language and time zone: "25 nov. 2026 13:05"."""
    if moment is None:
        return ""
    return dates.format_datetime(local(moment), format=style, locale=_locale(_language.get()))


def format_date(day: dt.date | dt.datetime | None, style: str = "medium") -> str:
    """Format a date in the current language: "25 nov. 2026" / "Nov 25, 2026"."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local(day).date()
    return _date_text(day, style, _language.get())


def format_time(moment: dt.datetime | dt.time | None) -> str:
    """Format a time of day in the current language: "13:05"."""
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = local(moment).time()
    return dates.format_time(moment, format="short", locale=_locale(_language.get()))


def format_number(value: float | int) -> str:
    """Format a number in the current language: "1.234,5" in Dutch, "1,234.5" in English."""
    return numbers.format_decimal(value, locale=_locale(_language.get()))
