"""The board's dashboard widget: the newest notices."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from organet import web

from . import board
from .models import Post

LATEST = 5


def latest_posts(request: Request) -> Any:
    """The five newest notices on the board, for the dashboard."""
    statement = board.listing().where(board.live_clause()).order_by(Post.created_at.desc()).limit(LATEST)
    person = web.user(request)
    if person.is_external:
        from organet.people import visible_clause

        statement = statement.where(visible_clause(person, "bulletin", "post", Post.id, owner_column=Post.author_id))
    posts = web.db(request).scalars(statement).all()
    return web.render_fragment(request, "bulletin/widget.html", {"posts": posts})
