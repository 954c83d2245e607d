"""The core's own tables: run-time settings, plugin audiences, the change counter, dashboard choices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow


class StoredSetting(Model):
    """A run-time setting an admin changed; it wins over organet.toml in every worker."""

    __tablename__ = "core_settings"

    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Audience(Model):
    """A group in a plugin's pilot audience. A plugin with no rows here is for everyone."""

    __tablename__ = "core_audiences"

    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="CASCADE"), primary_key=True)


class Revision(Model):
    """One row whose counter goes up with every run-time change, so workers know to reload."""

    __tablename__ = "core_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter: Mapped[int] = mapped_column(default=0)


class DashboardChoice(Model):
    """A person's choice for one dashboard widget: its place and whether it is hidden."""

    __tablename__ = "core_dashboard"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    widget: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[bool] = mapped_column(default=False)
