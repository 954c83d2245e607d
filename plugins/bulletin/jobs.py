"""The board's background jobs: posts leave the board when they expire; posters are reminded first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from organet.db import utcnow
from organet.i18n import gettext as _
from organet.notifications import notify
from organet.search import SearchDocument, SearchSource

from . import board
from .models import Post

BATCH = 500


def expire(ctx: Any) -> None:
    """Take posts whose time is up off the board and out of the search index."""
    session = ctx.session
    due = session.scalars(sa.select(Post).where(Post.expired.is_(False), Post.expires_at <= utcnow())
                          .limit(BATCH)).all()
    for post in due:
        post.expired = True
        board.reindex(session, post)


def remind(ctx: Any) -> None:
    """Tell posters a few days ahead that their post is about to leave the board, once per period."""
    session = ctx.session
    days = int(ctx.site.setting("bulletin", "remind_days_before"))
    soon = utcnow() + dt.timedelta(days=days)
    due = session.scalars(sa.select(Post).where(Post.expired.is_(False), Post.hidden.is_(False),
                                                Post.reminded_at.is_(None), Post.expires_at <= soon)
                          .limit(BATCH)).all()
    for post in due:
        post.reminded_at = utcnow()
        notify(session, [post.author_id], "bulletin", "post", post.id,
               title=lambda title=post.title: _(
                   "Your notice “%(title)s” leaves the board soon; renew it to keep it there.", title=title),
               url=board.post_url(post))


def _documents(session: Any) -> Iterator[SearchDocument]:
    for post in session.scalars(sa.select(Post).where(board.live_clause()).execution_options(yield_per=BATCH)):
        yield board.search_document(post, board.post_url(post))


def search_sources() -> list[SearchSource]:
    """Where reindexing finds every live post."""
    from organet.i18n import N_

    return [SearchSource(plugin="bulletin", kind="post", label=N_("Bulletin posts"), documents=_documents)]
