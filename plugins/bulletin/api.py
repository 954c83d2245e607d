"""The board's JSON API: live posts, newest first, in the list shape every organet API uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request

from organet import NotFound, api, web

from . import board
from .models import Post


class PostOut(BaseModel):
    """A post as the API shows it; ``html`` is sanitised."""

    id: int
    category: str
    title: str
    html: str
    price_cents: int | None
    location: str
    author: str
    created_at: dt.datetime
    expires_at: dt.datetime


def _out(post: Post) -> PostOut:
    return PostOut(id=post.id, category=post.category.name, title=post.title, html=post.html,
                   price_cents=post.price_cents, location=post.location, author=post.author.name,
                   created_at=post.created_at, expires_at=post.expires_at)


def list_posts(request: Request) -> dict[str, Any]:
    """Live posts, newest first, paginated; ``?category=ID`` narrows them."""
    statement = board.listing().where(board.live_clause()).order_by(Post.created_at.desc(), Post.id.desc())
    person = web.user(request)
    if person.is_external:
        from organet.people import visible_clause

        statement = statement.where(visible_clause(person, "bulletin", "post", Post.id, owner_column=Post.author_id))
    category = request.query_params.get("category", "")
    if category.isdecimal() and len(category) < 10:
        statement = statement.where(Post.category_id == int(category))
    return api.paginate(request, web.db(request), statement, _out)


def get_post(request: Request) -> PostOut:
    """One post the caller may see."""
    session = web.db(request)
    post = session.get(Post, request.path_params["post_id"])
    if not board.may_see(session, web.user(request), post):
        raise NotFound("Not found.")
    assert post is not None
    return _out(post)
