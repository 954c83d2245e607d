"""The reservations tables: resources per location, bookings, and the tokens of feeds and kiosk screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organet.db import Model, UTCDateTime, utcnow
from organet.i18n import N_
from organet.people import Group, User

KINDS = ("room", "consultation-room", "equipment", "vehicle", "bike", "other")
FACILITIES = ("screen", "video-call", "wheelchair-access", "whiteboard", "phone", "sink")
ACCESS = ("everyone", "groups", "approval")
STATUSES = ("confirmed", "pending", "cancelled", "declined", "released")
HOLDING = "confirmed"
"""Only confirmed bookings hold their slot; a request waiting for approval holds nothing."""

LONGEST_BOOKING = dt.timedelta(days=14)
"""No booking is longer than this (a resource's own maximum is at most this). It bounds the overlap
queries: a booking that overlaps [a, b) starts after a - LONGEST_BOOKING, so the index on
(resource_id, starts_at) does the work."""


class Resource(Model):
    """A room or other bookable thing at one of the organisation's locations (a core location group)."""

    __tablename__ = "reservations_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="SET NULL"),
                                                    index=True, default=None)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(30), default="room")
    capacity: Mapped[int] = mapped_column(default=1)
    facilities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    photo: Mapped[str | None] = mapped_column(sa.String(200), default=None)  # "<upload id>/<file name>"
    opens_minute: Mapped[int | None] = mapped_column(default=None)
    closes_minute: Mapped[int | None] = mapped_column(default=None)
    open_days: Mapped[str] = mapped_column(sa.String(7), default="12345")
    access: Mapped[str] = mapped_column(sa.String(20), default="everyone")
    group_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    approver_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    max_minutes: Mapped[int] = mapped_column(default=240)
    horizon_days: Mapped[int] = mapped_column(default=90)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    location: Mapped[Group | None] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("location_id", "name"),
        sa.CheckConstraint("capacity >= 0", name="capacity_positive"),
    )

    def opens_at(self) -> dt.time | None:
        """The local time the resource opens, or ``None`` when it is always open."""
        return _time(self.opens_minute)

    def closes_at(self) -> dt.time | None:
        """The local time the resource closes, or ``None`` when it is always open."""
        return _time(self.closes_minute)

    @property
    def has_hours(self) -> bool:
        """True when bookings must fall inside opening hours."""
        return self.opens_minute is not None and self.closes_minute is not None


def _time(minute: int | None) -> dt.time | None:
    if minute is None:
        return None
    return dt.time(minute // 60, minute % 60) if minute < 24 * 60 else dt.time(23, 59)


class Booking(Model):
    """One occurrence of a booking; the occurrences of a recurring booking share a ``series``."""

    __tablename__ = "reservations_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("reservations_resources.id", ondelete="CASCADE"))
    series: Mapped[str | None] = mapped_column(sa.String(32), index=True, default=None)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    booker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), index=True)
    booked_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"),
                                                      index=True, default=None)
    attendee_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=HOLDING)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship(lazy="joined")
    booker: Mapped[User | None] = relationship(foreign_keys=[booker_id], lazy="joined")
    booked_for: Mapped[User | None] = relationship(foreign_keys=[booked_for_id], lazy="joined")

    __table_args__ = (
        sa.Index("ix_reservations_bookings_resource_start", "resource_id", "starts_at"),
        sa.CheckConstraint("ends_at > starts_at", name="positive_length"),
    )

    @property
    def holder(self) -> User | None:
        """The person the slot is held for: the one booked for, else the booker."""
        return self.booked_for or self.booker

    @property
    def holder_name(self) -> str:
        """The name shown as "booked by": the person booked for, else the booker."""
        holder = self.holder
        return holder.name if holder is not None else "?"


class Token(Model):
    """A secret that opens one public route: a person's or a resource's iCal feed, or a room's kiosk screen.

    Only a SHA-256 digest is stored; revoking deletes the row, so the old address stops working at once.
    """

    __tablename__ = "reservations_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "user-feed", "resource-feed", "kiosk"
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True,
                                                default=None)
    resource_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reservations_resources.id", ondelete="CASCADE"),
                                                    index=True, default=None)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


MODELS: list[Any] = [Resource, Booking, Token]

# The values above are shown translated ({{ _(resource.kind) }}); marked here so that extraction finds them.
LABELS = (N_("room"), N_("consultation-room"), N_("equipment"), N_("vehicle"), N_("bike"), N_("other"),
          N_("screen"), N_("video-call"), N_("wheelchair-access"), N_("whiteboard"), N_("phone"), N_("sink"),
          N_("everyone"), N_("groups"), N_("approval"), N_("confirmed"), N_("pending"), N_("cancelled"),
          N_("declined"), N_("released"))
