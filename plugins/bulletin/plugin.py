"""The bulletin board's hook implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from organet import (
    PUBLIC,
    AdminPage,
    ApiRoute,
    FormSpec,
    Job,
    NavEntry,
    Page,
    Permission,
    Setting,
    Widget,
    hookimpl,
)
from organet.i18n import N_

from . import admin, api, board, demo, feeds, jobs, privacy, views, widgets
from .models import MODELS, Post


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("expiry_days", int, 30, "Days a new notice stays on the board unless its poster chooses fewer.",
                example=30, runtime=True, minimum=1, maximum=365),
        Setting("max_expiry_days", int, 90, "The most days a poster may choose.", example=90, runtime=True,
                minimum=1, maximum=365),
        Setting("remind_days_before", int, 3, "Days before expiry that the poster is reminded.", example=3,
                runtime=True, minimum=1, maximum=30),
        Setting("posts_per_hour", int, 10, "Notices one person may post in an hour.", example=10, runtime=True,
                minimum=1, maximum=1000),
        Setting("max_images", int, 4, "Pictures one notice may have.", example=4, runtime=True, minimum=0,
                maximum=12),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [
        Permission(board.VIEW, N_("Read the bulletin board (externals: only when it is shared with them)"),
                   default_roles=("admin", "editor", "member", "external")),
        Permission(board.POST, N_("Post notices on the bulletin board"), default_roles=("admin", "editor", "member")),
        Permission(board.MANAGE, N_("Manage the bulletin board's categories"), default_roles=("admin",)),
    ]


@hookimpl
def register_models() -> list[Any]:
    return MODELS


@hookimpl
def register_routes() -> list[Page]:
    both = ("GET", "POST")
    return [
        Page("/", views.board_page, name="board", permission=board.VIEW),
        Page("/new", views.new_post, name="new", permission=board.POST, methods=both, write=True),
        Page("/posts/{post_id:int}", views.post_page, name="post", permission=board.VIEW),
        Page("/posts/{post_id:int}/edit", views.edit_post, name="edit", permission=board.POST, methods=both,
             write=True),
        Page("/posts/{post_id:int}/renew", views.renew_post, name="renew", permission=board.POST,
             methods=("POST",)),
        Page("/posts/{post_id:int}/delete", views.delete_post, name="delete", permission=board.POST,
             methods=("POST",)),
        Page("/feeds", feeds.feed_settings, name="feeds", permission=board.VIEW, methods=both),
        Page("/feeds/{token}/{category}.atom", feeds.atom, name="atom", permission=PUBLIC),
        Page("/admin/categories", admin.categories, name="admin_categories", permission=board.MANAGE, methods=both),
    ]


@hookimpl
def register_api_routes() -> list[ApiRoute]:
    return [
        ApiRoute("/posts", api.list_posts, name="posts", permission=board.VIEW, paginated=True,
                 response_model=None, summary="Live notices, newest first", query_params=("category",)),
        ApiRoute("/posts/{post_id:int}", api.get_post, name="post", permission=board.VIEW,
                 response_model=api.PostOut, summary="One notice"),
    ]


@hookimpl
def register_navigation() -> list[NavEntry]:
    return [NavEntry(N_("Bulletin board"), "bulletin:board", permission=board.VIEW, order=30)]


@hookimpl
def register_widgets() -> list[Widget]:
    return [Widget("latest", N_("Latest on the bulletin board"), widgets.latest_posts, permission=board.VIEW,
                   order=30)]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Board categories"), "bulletin:admin_categories", permission=board.MANAGE, order=30)]


@hookimpl
def register_jobs() -> list[Job]:
    return [
        Job("bulletin.expire", jobs.expire, every=dt.timedelta(minutes=15),
            description="Take expired notices off the board"),
        Job("bulletin.remind", jobs.remind, every=dt.timedelta(hours=1),
            description="Remind posters before their notice expires"),
    ]


@hookimpl
def register_search_sources() -> list[Any]:
    return jobs.search_sources()


@hookimpl
def register_forms() -> list[FormSpec]:
    from .hostile import forms

    return forms()


@hookimpl
def object_visible_to(user: Any, session: Session, plugin: str, kind: str, object_id: str) -> bool | None:
    if plugin != "bulletin":
        return None
    if kind != "post" or not object_id.isdecimal() or len(object_id) > 18:
        return False
    return board.may_see(session, user, session.get(Post, int(object_id)))


@hookimpl(optionalhook=True)
def on_content_moderated(session: Session, plugin: str, kind: str, object_id: str, hidden: bool,
                         reason: str) -> None:
    if plugin != "bulletin" or kind != "post" or not object_id.isdecimal():
        return
    post = session.get(Post, int(object_id))
    if post is not None:
        post.hidden = hidden
        board.reindex(session, post)


@hookimpl
def load_demo_data(session: Session, people: list[Any], rng: Any) -> None:
    demo.load(session, people, rng)


@hookimpl
def export_person_data(session: Session, person: Any) -> dict[str, Any]:
    return privacy.export(session, person)


@hookimpl
def on_person_erased(session: Session, person: Any) -> None:
    privacy.erase(session, person)
