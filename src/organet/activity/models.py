"""The activity tables: one row per person, day and plugin with counts, and raw events kept for a short while."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow

ACTIONS = ("view", "sign-in", "contribution")


class DayActivity(Model):
    """What one person did in one plugin on one day (in the site's time zone): counts, and seconds of use.

    The primary key is the only index; on SQLite the table is stored WITHOUT ROWID, so a row
    costs about 40 bytes (see docs/activity.md for the measured size of a year).
    """

    __tablename__ = "activity_days"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
    sign_ins: Mapped[int] = mapped_column(default=0)
    contributions: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
    last_seen: Mapped[int] = mapped_column(default=0)

    __table_args__ = ({"sqlite_with_rowid": False},)


class Event(Model):
    """One raw event, kept ``keep_events_days`` days for audits and questions the day rows cannot answer."""

    __tablename__ = "activity_events"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(index=True)
    plugin: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[str | None] = mapped_column(sa.String(40), default=None)
