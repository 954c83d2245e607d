"""The content services' tables: uploads, reactions, comments, reports and moderation.

Every row points at the object it belongs to by ``(plugin, kind, object_id)``, so one table
serves every plugin without a foreign key into tables the core does not know.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow

REACTIONS = ("like", "thanks", "celebrate", "insightful")


def _ref_index(table: str) -> sa.Index:
    return sa.Index(f"ix_{table}_object", "plugin", "kind", "object_id")


class ObjectRef:
    """The three strings that name an object of any plugin, ``("bulletin", "post", "12")``; the core never
    reads another plugin's tables, it asks the owning plugin about the object (``object_visible_to``)."""

    plugin: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(80))


class Upload(ObjectRef, Model):
    """A file someone uploaded for an object of a plugin; stored under the media folder with a random name."""

    __tablename__ = "content_uploads"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(sa.Integer)
    path: Mapped[str] = mapped_column(sa.String(200))
    thumbnail_path: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    is_image: Mapped[bool] = mapped_column(default=False)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (_ref_index("content_uploads"),)


class Reaction(ObjectRef, Model):
    """One person's reaction (like, thanks, ...) to an object; one of each kind per person."""

    __tablename__ = "content_reactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    reaction: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("plugin", "kind", "object_id", "user_id", "reaction", name="uq_content_reactions_once"),
    )


class Comment(ObjectRef, Model):
    """A comment on an object: the Markdown as written and the sanitised HTML made from it."""

    __tablename__ = "content_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    hidden: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (_ref_index("content_comments"),)


class Report(ObjectRef, Model):
    """Someone's report that an object breaks the rules, with their reason; open until a moderator decides."""

    __tablename__ = "content_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None, index=True)

    __table_args__ = (_ref_index("content_reports"),)


class ModerationAction(ObjectRef, Model):
    """A moderator hid or restored an object, and why. Kept as the record of every decision."""

    __tablename__ = "content_moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (_ref_index("content_moderation_actions"),)


class HiddenObject(Model):
    """An object a moderator has hidden (present) or not (absent): what ``is_hidden`` reads."""

    __tablename__ = "content_hidden_objects"

    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    object_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    hidden_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
