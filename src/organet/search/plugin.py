"""The search plugin's hook implementations."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.orm import Session

from organet.hooks import hookimpl
from organet.search import views
from organet.search.documents import SearchSource, remove
from organet.search.models import Grant, IndexedDocument
from organet.search.people import KIND, PLUGIN, people_documents
from organet.search.sources import PERSON_LABEL
from organet.types import SIGNED_IN, ApiRoute, Page


@hookimpl
def register_models() -> list[type]:
    return [IndexedDocument, Grant]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/search", views.search_page, name="results", permission=SIGNED_IN),
        Page("/search/suggest", views.suggest_json, name="suggest", permission=SIGNED_IN),
    ]


@hookimpl
def register_api_routes() -> list[ApiRoute]:
    return [ApiRoute("/search", views.api_search, name="search", permission=SIGNED_IN, paginated=True,
                     summary="Search everything the caller may see",
                     query_params=("q", "kind", "plugin", "from", "to"))]


@hookimpl
def register_commands() -> list[click.Command]:
    from organet.search.commands import search  # imports the CLI: only when the CLI asks

    return [search]


@hookimpl
def register_search_sources() -> list[SearchSource]:
    return [SearchSource(PLUGIN, KIND, PERSON_LABEL, people_documents)]


@hookimpl
def on_person_erased(session: Session, person: Any) -> None:
    remove(session, PLUGIN, KIND, str(person.id))
