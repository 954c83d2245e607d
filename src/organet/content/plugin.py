"""The content services' hook implementations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from organet.content import threads, views
from organet.content.models import Comment, HiddenObject, ModerationAction, Reaction, Report, Upload
from organet.content.visibility import can_see
from organet.hooks import hookimpl
from organet.i18n import N_
from organet.types import SIGNED_IN, AdminPage, FormSpec, Page, Permission, Setting


@hookimpl
def register_models() -> list[type]:
    return [Upload, Reaction, Comment, Report, ModerationAction, HiddenObject]


@hookimpl
def register_settings() -> list[Setting]:
    return [
        Setting("max_upload_mb", int, 10, "Largest file people may upload, in megabytes.", example=10,
                runtime=True, minimum=1, maximum=500),
        Setting("max_image_pixels", int, 40_000_000, "Largest image (width × height) accepted; larger ones "
                "are refused before they are decoded.", example=40_000_000, minimum=1_000_000,
                maximum=50_000_000),
        Setting("thumbnail_px", int, 400, "Longest side of thumbnails, in pixels.", example=400,
                minimum=64, maximum=2000),
    ]


@hookimpl
def register_permissions() -> list[Permission]:
    return [Permission("moderate-content", N_("Hide and restore reported content of every plugin"),
                       default_roles=("admin",))]


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/media/{id}/{name}", views.media, name="media", permission=SIGNED_IN),
        Page("/media/{id}/thumbnail/{name}", views.media_thumbnail, name="thumbnail", permission=SIGNED_IN),
        Page("/content/react", views.react, name="react", permission=SIGNED_IN, methods=("POST",), write=True),
        Page("/content/comment", views.comment, name="comment", permission=SIGNED_IN, methods=("POST",),
             write=True),
        Page("/content/comments/{id:int}/delete", views.delete_comment, name="delete_comment",
             permission=SIGNED_IN, methods=("POST",)),
        Page("/content/report", views.report_form, name="report_form", permission=SIGNED_IN),
        Page("/content/report", views.report, name="report", permission=SIGNED_IN, methods=("POST",), write=True),
        Page("/admin/moderation", views.moderation_queue, name="moderation", permission="moderate-content"),
        Page("/admin/moderation", views.moderate, name="moderate", permission="moderate-content",
             methods=("POST",)),
    ]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Moderation"), "content:moderation", permission="moderate-content", order=30)]


def _photo_of(app: Starlette, user: Any) -> dict[str, Any]:
    # A person's photo is an object every colleague may see: something to comment on and report.
    ref = {"plugin": "people", "kind": "photo", "object_id": str(user.id), "owner": str(user.id), "url": "/"}
    return {"data": {**ref, "ref": threads.sign_reference(app.state.site, **ref)}}


@hookimpl
def register_forms() -> list[FormSpec]:
    return [
        FormSpec("content:comment", ["text"], prepare=_photo_of, role="member"),
        FormSpec("content:report", ["reason", "url"], prepare=_photo_of, shown_at=["/admin/moderation"]),
        FormSpec("content:moderate", ["reason"], defaults={"action": "hide"}, prepare=_photo_of,
                 shown_at=["/admin/moderation?all=1"]),
    ]


@hookimpl
def on_startup(app: Starlette) -> None:
    app.state.site.state["templates"].globals["content_thread"] = threads.thread


@hookimpl(trylast=True)
def object_visible_to(user: Any, session: Session, plugin: str, kind: str, object_id: str) -> bool | None:
    if plugin == "content" and kind == "comment":
        comment = session.get(Comment, int(object_id)) if object_id.isdecimal() else None
        if comment is None or (comment.hidden and comment.author_id != getattr(user, "id", None)):
            return False
        site = _site_of(session)
        return site is not None and can_see(site, session, user, comment.plugin, comment.kind, comment.object_id)
    if plugin == "people" and kind == "photo":
        # Colleagues see each other's photos; externals only what is shared with them (not photos).
        return bool(getattr(user, "is_authenticated", False)) and not getattr(user, "is_external", True)
    return None


def _site_of(session: Session) -> Any:
    from organet.notifications.inbox import site_for

    return site_for(session)


@hookimpl
def on_content_moderated(session: Session, plugin: str, kind: str, object_id: str, hidden: bool,
                         reason: str) -> None:
    if plugin == "content" and kind == "comment" and object_id.isdecimal():
        session.execute(sa.update(Comment).where(Comment.id == int(object_id)).values(hidden=hidden))


@hookimpl
def export_person_data(session: Session, person: Any) -> dict[str, Any]:
    comments = session.scalars(sa.select(Comment).where(Comment.author_id == person.id).order_by(Comment.id))
    reactions = session.scalars(sa.select(Reaction).where(Reaction.user_id == person.id).order_by(Reaction.id))
    uploads = session.scalars(sa.select(Upload).where(Upload.owner_id == person.id))
    return {
        "comments": [{"on": f"{c.plugin}/{c.kind}/{c.object_id}", "text": c.text,
                      "created_at": c.created_at.isoformat()} for c in comments],
        "reactions": [{"on": f"{r.plugin}/{r.kind}/{r.object_id}", "reaction": r.reaction} for r in reactions],
        "uploads": [{"filename": u.filename, "for": f"{u.plugin}/{u.kind}/{u.object_id}"} for u in uploads],
    }


@hookimpl
def on_person_erased(session: Session, person: Any) -> None:
    session.execute(sa.delete(Reaction).where(Reaction.user_id == person.id))
    session.execute(sa.update(Comment).where(Comment.author_id == person.id).values(
        author_id=None, text="", html="<p>(removed)</p>"))
    session.execute(sa.update(Report).where(Report.reporter_id == person.id).values(reporter_id=None))
