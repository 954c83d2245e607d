"""Atom feeds of the board per category, read with a personal feed token that its owner can revoke."""

from __future__ import annotations

import secrets
from xml.sax.saxutils import escape

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import NotFound, web
from organet.i18n import gettext as _
from organet.people import User
from organet.security import digest

from . import board
from .models import Category, FeedToken, Post

FEED_SIZE = 50


def feed_settings(request: Request) -> Response:
    """Show the person's feed addresses; POST makes a new token (the old one stops working) or revokes it."""
    session = web.db(request)
    person = web.user(request)
    token = None
    if request.method == "POST":
        session.execute(sa.delete(FeedToken).where(FeedToken.user_id == person.id))
        if web.form(request).get("action") == "create":
            token = secrets.token_urlsafe(32)
            session.add(FeedToken(user_id=person.id, token_digest=digest(token)))
            web.flash(request, _("Your new feed address is below. The old one no longer works."))
        else:
            web.flash(request, _("Your feed address no longer works."))
    has_token = token is not None or session.get(FeedToken, person.id) is not None
    categories = session.scalars(sa.select(Category).where(Category.active.is_(True))
                                 .order_by(Category.position, Category.name)).all()
    return web.render(request, "bulletin/feeds.html", {"title": _("Feeds"), "token": token,
                                                       "has_token": has_token, "categories": categories})


def atom(request: Request) -> Response:
    """The Atom feed of one category (or ``all``), for the person whose token is in the address."""
    session = web.db(request)
    row = session.scalar(sa.select(FeedToken).where(FeedToken.token_digest == digest(request.path_params["token"])))
    reader = session.get(User, row.user_id) if row is not None else None
    if reader is None or not reader.active or not web.permission_granted(web.site(request), reader, board.VIEW):
        raise NotFound("Not found.")
    statement = board.listing().where(board.live_clause()).order_by(Post.created_at.desc()).limit(FEED_SIZE)
    name = request.path_params["category"]
    title = _("Bulletin board")
    if name != "all":
        category = session.get(Category, int(name)) if name.isdecimal() and len(name) < 10 else None
        if category is None:
            raise NotFound("Not found.")
        statement = statement.where(Post.category_id == category.id)
        title = f"{title}: {category.name}"
    posts = [p for p in session.scalars(statement) if board.may_see(session, reader, p)]
    base = str(web.site(request).config.site["base_url"]).rstrip("/")
    entries = []
    for post in posts:
        link = base + board.post_url(post)
        # Every value is escaped: a title with markup stays text in any feed reader.
        entries.append(
            "<entry>"
            f"<id>{escape(link)}</id><title>{escape(post.title)}</title>"
            f'<link href="{escape(link, {chr(34): "&quot;"})}"/>'
            f"<updated>{post.updated_at.isoformat()}</updated>"
            f"<author><name>{escape(post.author.name)}</name></author>"
            f"<category term=\"{escape(post.category.name, {chr(34): '&quot;'})}\"/>"
            f'<content type="html">{escape(post.html)}</content>'
            "</entry>")
    updated = posts[0].updated_at.isoformat() if posts else "1970-01-01T00:00:00+00:00"
    feed = ('<?xml version="1.0" encoding="utf-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(base)}/bulletin/feeds/{escape(name)}</id><title>{escape(title)}</title>"
            f"<updated>{updated}</updated>{''.join(entries)}</feed>")
    return Response(feed, media_type="application/atom+xml; charset=utf-8")
