"""The board's pages: the board, one post, posting and editing, renewing and deleting."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import sqlalchemy as sa
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from organet import NotFound, PermissionDenied, ValidationError, search, web
from organet.activity import record
from organet.cache import watch_changes
from organet.content import check_rate, delete_upload, reaction_counts, save_upload
from organet.db import rows, utcnow
from organet.i18n import gettext as _
from organet.notifications import notify
from organet.people import NAME_COLUMNS

from . import board
from .models import Category, Post

PAGE_SIZE = 20
UPLOADS = "bulletin"

# What a page of the board shows: its posts, their categories, pictures and reactions, and their posters' names.
BOARD_TABLES = ("bulletin_posts", "bulletin_categories", "content_uploads", "content_reactions", "people")
watch_changes("bulletin_posts")
watch_changes("bulletin_categories")
watch_changes("content_uploads")
watch_changes("content_reactions")
watch_changes("people", NAME_COLUMNS)  # names only: a sign-in changes a person's row too


def _text_fields(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in web.form(request).items() if isinstance(value, str)}


# Built once: putting a statement together costs more than running it, and every board page runs these.
_ACTIVE_CATEGORIES = (sa.select(Category.id, Category.name).where(Category.active.is_(True))
                      .order_by(Category.position, Category.name))


def _of_posts(statement: sa.Select[Any]) -> sa.Select[Any]:
    """Narrow a select of uploads to the pictures of the posts whose ids are bound as ``ids``."""
    from organet.content import Upload

    return statement.where(Upload.plugin == UPLOADS, Upload.kind == "post",
                           Upload.object_id.in_(sa.bindparam("ids", expanding=True)), Upload.is_image.is_(True))


@functools.cache
def _post_images() -> sa.Select[Any]:
    from organet.content import Upload

    return _of_posts(sa.select(Upload)).order_by(Upload.created_at)


@functools.cache
def _first_images() -> sa.Select[Any]:
    from organet.content import Upload

    # Newest first, so that in _thumbnails the oldest (the first one posted) is the one kept.
    return (_of_posts(sa.select(Upload.object_id, Upload.id, Upload.filename))
            .order_by(Upload.created_at.desc(), Upload.id.desc()))


class Choice(NamedTuple):
    """An active category, as the board's filter and the post form offer it."""

    id: int
    name: str


def _categories(request: Request) -> list[Choice]:
    """The active categories, read once per change (the admin page says when they change)."""
    return web.cached_configuration(request, "bulletin.categories",
                                    lambda session: [Choice._make(row) for row in rows(session, _ACTIVE_CATEGORIES)])


def _images(request: Request, post_ids: list[int]) -> dict[int, list[Any]]:

    found: dict[int, list[Any]] = {i: [] for i in post_ids}
    if not post_ids:
        return found
    rows = web.db(request).scalars(_post_images(), {"ids": [str(i) for i in post_ids]})
    for upload in rows:
        found[int(upload.object_id)].append(upload)
    return found


def _thumbnails(request: Request, post_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The first picture of each of these posts, as ``{post id: (upload id, file name)}``."""
    if not post_ids:
        return {}
    found = rows(web.db(request), _first_images(), {"ids": [str(i) for i in post_ids]})
    return {int(object_id): (upload_id, filename) for object_id, upload_id, filename in found}


def _post_or_404(request: Request) -> Post:
    post = web.db(request).get(Post, request.path_params["post_id"])
    person = web.user(request)
    if not board.may_see(web.db(request), person, post, moderator=board.is_moderator(web.site(request), person)):
        raise NotFound("Not found.")
    assert post is not None  # may_see refused None
    return post


def _own_post(request: Request) -> Post:
    post = _post_or_404(request)
    if post.author_id != web.user(request).id:
        raise PermissionDenied(_("Only the person who posted this notice may change it."))
    return post


def board_page(request: Request) -> Response:
    """The board: live posts newest first, filtered by category, location or "my posts", 20 a page."""
    person = web.user(request)
    query = request.query_params
    page = int(query["page"]) if query.get("page", "").isdecimal() and len(query["page"]) < 7 else 1
    page = max(page, 1)
    mine = query.get("mine") == "1"
    raw_category = query.get("category", "")
    # Only a category's number goes on (None: every category): a kept page must not carry one
    # reader's free text in its links to the others.
    category = int(raw_category) if raw_category.isdecimal() and len(raw_category) < 10 else None
    location = query.get("location", "").strip()[:120]
    filters = BoardFilters(category, location, page, mine)

    def render_notices() -> Markup:
        return _notices(request, filters, author_id=person.id if mine else None,
                        visible=_visible_to_external(person) if person.is_external and not mine else None)

    if mine or person.is_external:
        notices = render_notices()  # what this reader alone sees: never kept
    else:
        # Every employee sees the same page of the board: rendered once per change of what it shows.
        notices = web.kept_fragment(request, "bulletin.board", (category, location, page), render_notices,
                                    tables=BOARD_TABLES)
    return web.render(request, "bulletin/board.html", {
        "title": _("Bulletin board"), "notices": notices, "mine": mine, "categories": _categories(request),
        "category_id": filters.category_text, "location": location,
    })


class BoardFilters(NamedTuple):
    """What narrows the board: a category's id (``None``: all), a location, the page, "my notices"."""

    category: int | None
    location: str
    page: int
    mine: bool

    @property
    def category_text(self) -> str:
        """The category as the filter form and the page links carry it ("" for every category)."""
        return "" if self.category is None else str(self.category)


def _visible_to_external(person: Any) -> sa.ColumnElement[bool]:
    from organet.people import visible_clause

    return visible_clause(person, "bulletin", "post", Post.id, owner_column=Post.author_id)


def _notices(request: Request, filters: BoardFilters, *, author_id: int | None,
             visible: sa.ColumnElement[bool] | None) -> Markup:
    """A page of notices with links to the pages around it, as HTML (``bulletin/notices.html``)."""
    session = web.db(request)
    statement = board.board_query(mine=author_id is not None, category=filters.category is not None,
                                  location=bool(filters.location), visible=visible)
    parameters = {"now": utcnow(), "author_id": author_id, "category_id": filters.category,
                  "location": filters.location, "limit": PAGE_SIZE + 1, "offset": (filters.page - 1) * PAGE_SIZE}
    notices = board.notices(session, statement, parameters)
    has_next = len(notices) > PAGE_SIZE
    notices = notices[:PAGE_SIZE]
    ids = [notice.id for notice in notices]
    thumbnails = _thumbnails(request, ids)
    reactions = reaction_counts(session, "bulletin", "post", ids)
    # One line per notice with its first picture and its number of reactions, so that the template's
    # loop only shows values (a {% set %} inside a loop makes every helper call there copy the context).
    lines = [(notice, thumbnails.get(notice.id), reactions[str(notice.id)].total()) for notice in notices]
    return web.render_fragment(request, "bulletin/notices.html", {
        "lines": lines, "page": filters.page, "has_next": has_next, "mine": filters.mine,
        "category_id": filters.category_text, "location": filters.location,
        "format_price": board.format_price,
    })


def post_page(request: Request) -> Response:
    """One post: text, pictures, price, where, who to contact; reactions, comments and reporting."""
    post = _post_or_404(request)
    return web.render(request, "bulletin/post.html", {
        "title": post.title, "post": post, "images": _images(request, [post.id])[post.id],
        "format_price": board.format_price, "is_mine": post.author_id == web.user(request).id,
        "now": utcnow(),
    })


def _limits(request: Request) -> tuple[int, int]:
    setting = web.setting
    return int(setting(request, "bulletin", "expiry_days")), int(setting(request, "bulletin", "max_expiry_days"))


def _save_images(request: Request, post: Post) -> None:
    files = [f for f in web.form(request).getlist("images") if not isinstance(f, str) and f.filename]
    allowed = int(web.setting(request, "bulletin", "max_images"))
    existing = len(_images(request, [post.id])[post.id])
    if existing + len(files) > allowed:
        raise ValidationError(_("A notice has at most %(n)s pictures.", n=allowed),
                              {"images": [_("Too many pictures.")]})
    for upload in files:
        save_upload(web.db(request), web.site(request), upload, web.user(request), UPLOADS, "post", post.id,
                    images_only=True)


def new_post(request: Request) -> Response:
    """Post a notice: category, title, text (Markdown), pictures, price, location, days on the board."""
    default_days, max_days = _limits(request)
    values: dict[str, Any] = {"days": str(default_days)}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _text_fields(request)
        session = web.db(request)
        person = web.user(request)
        try:
            check_rate(request, "bulletin.post", int(web.setting(request, "bulletin", "posts_per_hour")), 3600)
            clean = board.check_fields(session, values, default_days=default_days, max_days=max_days)
            post = Post(author_id=person.id, expires_at=utcnow())
            board.renew(post, clean["days"])
            mentioned = board.apply(session, post, clean)
            session.add(post)
            session.flush()
            _save_images(request, post)
            session.refresh(post)
            board.reindex(session, post)
            record(session, person.id, "bulletin", "contribution", "post")
            _notify_mentions(session, post, person, mentioned)
            web.flash(request, _("Your notice is on the board."))
            return web.redirect(request, "bulletin:post", post_id=post.id)
        except ValidationError as error:
            if getattr(error, "status_code", 422) == 429:
                raise
            session.rollback()
            errors = error.errors
    return web.render(request, "bulletin/form.html", {
        "title": _("New notice"), "values": values, "errors": errors, "categories": _categories(request),
        "max_days": max_days, "post": None,
    }, status_code=422 if errors else 200)


def _notify_mentions(session: Any, post: Post, person: Any, mentioned: list[Any]) -> None:
    if mentioned:
        notify(session, [m.id for m in mentioned], "bulletin", "post", post.id,
               title=lambda: _("%(name)s mentioned you in a notice: %(title)s", name=person.name, title=post.title),
               url=board.post_url(post), actor=person)


def edit_post(request: Request) -> Response:
    """Change one's own notice; its pictures can be added to or removed."""
    post = _own_post(request)
    _default, max_days = _limits(request)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"title": post.title, "text": post.text, "location": post.location,
                              "category": str(post.category_id), "days": "",
                              "price": board.format_price(post.price_cents).replace("€ ", "")}
    if request.method == "POST":
        values = _text_fields(request)
        session = web.db(request)
        try:
            form = {**values, "days": values.get("days") or str(max_days)}
            clean = board.check_fields(session, form, default_days=max_days, max_days=max_days)
            board.apply(session, post, clean)
            if values.get("days"):
                board.renew(post, clean["days"])
            for upload_id in web.form(request).getlist("remove_image"):
                _remove_image(request, post, str(upload_id))
            _save_images(request, post)
            session.flush()
            board.reindex(session, post)
            web.flash(request, _("Your notice is changed."))
            return web.redirect(request, "bulletin:post", post_id=post.id)
        except ValidationError as error:
            session.rollback()
            errors = error.errors
    return web.render(request, "bulletin/form.html", {
        "title": _("Change notice"), "values": values, "errors": errors, "categories": _categories(request),
        "max_days": max_days, "post": post, "images": _images(request, [post.id])[post.id],
    }, status_code=422 if errors else 200)


def _remove_image(request: Request, post: Post, upload_id: str) -> None:
    from organet.content import Upload

    upload = web.db(request).get(Upload, upload_id[:32])
    if upload is not None and upload.plugin == UPLOADS and upload.object_id == str(post.id):
        delete_upload(web.db(request), web.site(request), upload)


def renew_post(request: Request) -> Response:
    """Put one's own notice back on the board for the default number of days."""
    post = _own_post(request)
    days, _max = _limits(request)
    board.renew(post, days)
    board.reindex(web.db(request), post)
    web.flash(request, _("Your notice is on the board again."))
    return web.redirect(request, "bulletin:post", post_id=post.id)


def delete_post(request: Request) -> Response:
    """Delete one's own notice with its pictures, and take it out of the search index."""
    post = _own_post(request)
    session = web.db(request)
    from organet.content import Upload

    for upload in session.scalars(sa.select(Upload).where(Upload.plugin == UPLOADS, Upload.kind == "post",
                                                          Upload.object_id == str(post.id))):
        delete_upload(session, web.site(request), upload)
    search.remove(session, "bulletin", "post", post.id)
    session.delete(post)
    web.flash(request, _("Your notice is deleted."))
    return web.redirect(request, "bulletin:board")
