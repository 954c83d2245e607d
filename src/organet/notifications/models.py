"""The notifications tables: one row per recipient and group of events, and who wants what, where."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow

CHANNELS = ("site", "email", "digest", "off")
"""Where a person gets a plugin's notifications: in the site only, also by e-mail at once, in the
site and the periodic digest mail (no mail at once), or not at all."""


class Notification(Model):
    """Something for one person about an object: ``count`` events grouped under one ``group_key``."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(80))
    group_key: Mapped[str] = mapped_column(sa.String(200), default="")
    title: Mapped[str] = mapped_column(sa.String(300))
    group_title: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str] = mapped_column(sa.String(500))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), default=None)
    count: Mapped[int] = mapped_column(default=1)
    channel: Mapped[str] = mapped_column(sa.String(10), default="site")
    mail_state: Mapped[str] = mapped_column(sa.String(10), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        sa.Index("ix_notifications_recipient_unread", "recipient_id", "read_at", "updated_at"),
        sa.Index("ix_notifications_group", "recipient_id", "plugin", "group_key"),
        sa.Index("ix_notifications_mail_state", "mail_state"),
    )

    @property
    def display_title(self) -> str:
        """The title to show: the grouped form ("12 reactions on your post") once there are several."""
        if self.count > 1 and self.group_title:
            return self.group_title.replace("{count}", str(self.count))
        return self.title


class Preference(Model):
    """A person's choice of channel for one plugin's notifications."""

    __tablename__ = "notifications_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10))


class GroupDefault(Model):
    """An admin's default channel for one plugin's notifications to the members of a group."""

    __tablename__ = "notifications_group_defaults"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="CASCADE"), primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
