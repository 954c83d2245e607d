"""What the board holds about a person: their notices, for an export and for erasure."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet import search

from .models import FeedToken, Post


def export(session: Session, person: Any) -> dict[str, Any]:
    """Every notice the person posted, live or not."""
    posts = session.scalars(sa.select(Post).where(Post.author_id == person.id).order_by(Post.created_at)).all()
    if not posts:
        return {}
    return {"posts": [{"title": p.title, "text": p.text, "category": p.category.name, "location": p.location,
                       "price_cents": p.price_cents, "created_at": p.created_at.isoformat(),
                       "expires_at": p.expires_at.isoformat()} for p in posts]}


def erase(session: Session, person: Any) -> None:
    """Delete the person's notices (out of the search index too) and their feed token."""
    for post in session.scalars(sa.select(Post).where(Post.author_id == person.id)).all():
        search.remove(session, "bulletin", "post", post.id)
        session.delete(post)
    session.execute(sa.delete(FeedToken).where(FeedToken.user_id == person.id))
