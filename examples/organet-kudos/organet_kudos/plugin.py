"""The kudos plugin's hook implementations: everything it declares to organet."""

from __future__ import annotations

from typing import Any

from organet import ApiRoute, NavEntry, Page, Permission, Setting, Widget, hookimpl
from organet.i18n import N_
from organet.search import SearchSource
from organet_kudos import api, demo, kudos, views
from organet_kudos.models import Kudo

VIEW = "view-kudos"


@hookimpl
def register_settings() -> list[Setting]:
    return [Setting("max_length", int, 280, "The longest message a kudo may have, in characters.",
                    example=280, runtime=True, minimum=20, maximum=1000)]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(VIEW, N_("See the kudos colleagues give each other"),
                   default_roles=("admin", "editor", "member")),
        Permission(views.GIVE, N_("Thank a colleague with kudos"), default_roles=("admin", "editor", "member")),
    ]


@hookimpl
def register_models() -> list[type]:
    return [Kudo]


@hookimpl
def register_routes() -> list[Page]:
    return [Page("/", views.board, name="board", permission=VIEW, methods=("GET", "POST"))]


@hookimpl
def register_api_routes() -> list[ApiRoute]:
    return [
        ApiRoute("/kudos", api.list_kudos, name="list", permission=VIEW, paginated=True,
                 summary="The kudos, newest first", response_model=api.KudoOut),
        ApiRoute("/kudos", api.give_kudos, name="give", permission=views.GIVE, methods=("POST",),
                 summary="Thank a colleague", request_model=api.KudoIn, response_model=api.KudoOut),
    ]


@hookimpl
def register_navigation() -> list[NavEntry]:
    return [NavEntry(N_("Kudos"), "kudos:board", permission=VIEW, order=60)]


@hookimpl
def register_widgets() -> list[Widget]:
    return [Widget("latest", N_("Latest kudos"), views.widget, permission=VIEW, order=50)]


@hookimpl
def register_search_sources() -> list[SearchSource]:
    return [SearchSource("kudos", "kudo", N_("Kudos"), kudos.search_documents)]


@hookimpl
def load_demo_data(session: Any, people: list[Any], rng: Any) -> None:
    demo.load(session, people, rng)
