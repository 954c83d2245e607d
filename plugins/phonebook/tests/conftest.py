"""Fixtures for the phonebook's tests: give someone a profile and put them in the directory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from organet_plugins.phonebook import directory, profiles
from organet_plugins.phonebook.models import Profile

from organet.testing import db_session


def _give_profile(app: Any, person: Any, expertise: list[str] | None = None, **fields: Any) -> None:
    with db_session(app) as session:
        profile = Profile(person_id=person.id, languages=fields.pop("languages", []),
                          pattern=fields.pop("pattern", []), imported_fields=fields.pop("imported_fields", []),
                          **{key: fields.get(key, "") for key in ("job_title", "work_phone", "mobile", "extension",
                                                                  "room", "about")})
        session.add(profile)
        session.flush()
        profiles.set_expertise(session, person.id, expertise or [])
    _reindex(app)


def _reindex(app: Any) -> None:
    with db_session(app) as session:
        directory.rebuild(session)


@pytest.fixture
def give_profile() -> Callable[..., None]:
    """``give_profile(app, person, expertise=[...], work_phone="...", ...)`` stores a profile and reindexes."""
    return _give_profile


@pytest.fixture
def reindex() -> Callable[[Any], None]:
    """``reindex(app)`` rebuilds the directory index (after people were made with make_user)."""
    return _reindex


@pytest.fixture
def phonebook(make_app: Callable[..., Any]) -> Any:
    """A site with the phonebook enabled."""
    return make_app(plugins=["phonebook"])
