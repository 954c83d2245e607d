"""The content services' pages: media files, reactions, comments, reports and the moderation queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from organet import web
from organet.content import moderation, threads
from organet.content.models import Comment, Upload
from organet.content.ratelimits import check_rate
from organet.content.uploads import SAFE_IMAGE_TYPES, media_folder
from organet.content.visibility import can_see
from organet.errors import NotFound, PermissionDenied, ValidationError
from organet.i18n import gettext as _
from organet.notifications import notify

MEDIA_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"


def _media(request: Request, thumbnail: bool) -> Response:
    session, the_site = web.db(request), web.site(request)
    upload = session.get(Upload, str(request.path_params["id"]))
    if upload is None or upload.filename != request.path_params["name"]:
        raise NotFound("Not found.")
    if not can_see(the_site, session, web.user(request), upload.plugin, upload.kind, upload.object_id):
        raise NotFound("Not found.")
    relative = upload.thumbnail_path if thumbnail else upload.path
    if not relative:
        raise NotFound("Not found.")
    path = media_folder(the_site) / relative
    if not path.is_file():
        raise NotFound("Not found.")
    content_type = upload.content_type
    if thumbnail:
        content_type = "image/png" if relative.endswith(".png") else "image/jpeg"
    inline = content_type in SAFE_IMAGE_TYPES
    response = FileResponse(path, media_type=content_type, filename=upload.filename,
                            content_disposition_type="inline" if inline else "attachment")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = MEDIA_POLICY
    return response


def media(request: Request) -> Response:
    """An uploaded file, for those who may see the object it belongs to; an attachment unless a safe image."""
    return _media(request, thumbnail=False)


def media_thumbnail(request: Request) -> Response:
    """The thumbnail of an uploaded image."""
    return _media(request, thumbnail=True)


def react(request: Request) -> Response:
    """Add or take back a reaction; the owner hears about it in one grouped notification."""
    ref = threads.reference_from_form(request)
    session, person = web.db(request), web.user(request)
    check_rate(request, "content.react", 120, 60)
    added = threads.toggle_reaction(session, person, ref["plugin"], ref["kind"], ref["object_id"],
                                    str(web.form(request).get("reaction", "")))
    if added and ref["owner"].isdecimal() and ref["url"]:
        notify(session, [int(ref["owner"])], ref["plugin"], ref["kind"], ref["object_id"],
               title=lambda: _("%(name)s reacted to your contribution", name=person.name), url=ref["url"],
               actor=person,
               group_key=f"reactions:{ref['kind']}:{ref['object_id']}",
               group_title=lambda: _("{count} reactions on your contribution"))
    _record_contribution(request, ref["plugin"], "reaction")
    return web.redirect_back(request, ref["url"] or "/")


def comment(request: Request) -> Response:
    """Add a comment; the owner and the colleagues it mentions are notified (if they may see the object)."""
    ref = threads.reference_from_form(request)
    session, person = web.db(request), web.user(request)
    check_rate(request, "content.comment", 20, 300)
    added, mentioned = threads.add_comment(session, person, ref["plugin"], ref["kind"], ref["object_id"],
                                           str(web.form(request).get("text", "")))
    url = ref["url"] or "/"
    if ref["owner"].isdecimal() and ref["url"]:
        notify(session, [int(ref["owner"])], ref["plugin"], ref["kind"], ref["object_id"],
               title=lambda: _("%(name)s commented on your contribution", name=person.name), url=url, actor=person,
               group_key=f"comments:{ref['kind']}:{ref['object_id']}",
               group_title=lambda: _("{count} comments on your contribution"))
    if mentioned and ref["url"]:
        notify(session, mentioned, ref["plugin"], ref["kind"], ref["object_id"],
               title=lambda: _("%(name)s mentioned you", name=person.name), url=url, actor=person,
               group_key=f"mentions:{ref['kind']}:{ref['object_id']}",
               group_title=lambda: _("{count} mentions of you"))
    _record_contribution(request, ref["plugin"], "comment")
    web.flash(request, _("Your comment is placed."))
    return web.redirect_back(request, f"{url}#comment-{added.id}" if url.startswith("/") else "/")


def delete_comment(request: Request) -> Response:
    """The author (or a moderator) deletes a comment."""
    session, person = web.db(request), web.user(request)
    row = session.get(Comment, int(request.path_params["id"]))
    if row is None or not can_see(web.site(request), session, person, row.plugin, row.kind, row.object_id):
        raise NotFound("Not found.")
    if row.author_id != person.id and not web.has_permission(request, "moderate-content"):
        raise PermissionDenied("Only the author or a moderator can delete this comment.")
    session.delete(row)
    web.flash(request, _("The comment is deleted."))
    return web.redirect_back(request, "/")


def report(request: Request) -> Response:
    """Report an object (or a comment) to the moderators, with a reason."""
    form = web.form(request)
    session, person = web.db(request), web.user(request)
    plugin, kind, object_id = str(form.get("plugin", "")), str(form.get("kind", "")), str(form.get("object_id", ""))
    if not can_see(web.site(request), session, person, plugin, kind, object_id):
        raise NotFound("Not found.")
    check_rate(request, "content.report", 10, 3600)
    moderation.report(session, person, plugin, kind, object_id, str(form.get("reason", "")),
                      url=str(form.get("url", "")))
    web.flash(request, _("Thank you. A moderator will look at it."))
    return web.redirect_back(request, "/")


def report_form(request: Request) -> Response:
    """The form to report an object: what, and why."""
    query = request.query_params
    plugin, kind, object_id = query.get("plugin", ""), query.get("kind", ""), query.get("object_id", "")
    if not can_see(web.site(request), web.db(request), web.user(request), plugin, kind, object_id):
        raise NotFound("Not found.")
    url = query.get("url", "")
    return web.render(request, "content/report.html", {
        "plugin": plugin, "kind": kind, "object_id": object_id,
        "url": url if url.startswith("/") and not url.startswith("//") else "", "title": _("Report")})


def moderation_queue(request: Request) -> Response:
    """One queue for every plugin: reported objects, their reports, and hide/restore with a reason."""
    show_all = request.query_params.get("all") == "1"
    entries = moderation.queue(web.db(request), include_resolved=show_all)
    for entry in entries:
        entry["plugin_title"] = web.site(request).plugins[entry["plugin"]].info.title \
            if entry["plugin"] in web.site(request).plugins else entry["plugin"]
    return web.render(request, "content/moderation.html", {"entries": entries, "show_all": show_all,
                                                           "title": _("Moderation")})


def moderate(request: Request) -> Response:
    """Hide or restore an object, with the moderator's reason."""
    form = web.form(request)
    action = str(form.get("action", ""))
    if action not in ("hide", "restore"):
        raise ValidationError(_("Choose hide or restore."))
    moderation.set_hidden(web.db(request), web.site(request), web.user(request), str(form.get("plugin", "")),
                          str(form.get("kind", "")), str(form.get("object_id", "")), action == "hide",
                          str(form.get("reason", "")))
    web.flash(request, _("Hidden.") if action == "hide" else _("Restored."))
    return web.redirect(request, "content:moderation")


def _record_contribution(request: Request, plugin: str, kind: str) -> None:
    from organet import activity

    activity.record(web.db(request), web.user(request).id, plugin, action="contribution", kind=kind)

