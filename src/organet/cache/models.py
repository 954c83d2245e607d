"""The database side of the shared cache and the rate-limit counters, used when no Redis is configured."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime


class CacheEntry(Model):
    """A cached value that every worker sees, until ``expires_at``."""

    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class Counter(Model):
    """How often a rate-limited key was hit in one time window (``key`` ends in the window's number)."""

    __tablename__ = "cache_counters"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class ChangeCounter(Model):
    """How many committed transactions changed a watched table (see :mod:`organet.cache.changes`)."""

    __tablename__ = "cache_change_counters"

    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    counter: Mapped[int] = mapped_column(sa.BigInteger, default=0)
