"""The bulletin board's tables: categories, posts and personal feed tokens."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organet.db import Model, UTCDateTime, utcnow
from organet.people import User

TITLE_MAX = 200
TEXT_MAX = 10_000
LOCATION_MAX = 120


class Category(Model):
    """A heading of the board ("Te koop", "Gevraagd", ...), kept by an admin."""

    __tablename__ = "bulletin_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Post(Model):
    """A notice on the board. It leaves the board when it expires, unless its poster renews it."""

    __tablename__ = "bulletin_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("bulletin_categories.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    html: Mapped[str] = mapped_column(sa.Text, default="")
    price_cents: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    location: Mapped[str] = mapped_column(sa.String(LOCATION_MAX), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set by the expiry job and by moderators; the board reads these two flags next to the date index.
    expired: Mapped[bool] = mapped_column(default=False)
    hidden: Mapped[bool] = mapped_column(default=False)

    category: Mapped[Category] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        # The board reads live posts newest first: these indexes give them in order (ties by id), with no
        # sort. There is deliberately no index on expires_at: the planner would take it for the board and
        # sort every live post; the expiry job (every 15 minutes) walks the live posts through the first
        # index instead.
        sa.Index("ix_bulletin_posts_board", "expired", "hidden", "created_at", "id"),
        sa.Index("ix_bulletin_posts_category_board", "category_id", "expired", "hidden", "created_at", "id"),
    )

    @property
    def live(self) -> bool:
        """True while the post is on the board: not expired and not hidden by a moderator."""
        return not self.expired and not self.hidden and self.expires_at > utcnow()


class FeedToken(Model):
    """A person's secret for reading the board's Atom feeds without a session; revocable."""

    __tablename__ = "bulletin_feed_tokens"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


MODELS = [Category, Post, FeedToken]
