"""Background work: freeing bookings nobody checked in to, and the resources' documents for the core search."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from organet.i18n import N_

from . import events
from .models import HOLDING, Booking, Resource


def release_unchecked(ctx: Any) -> None:
    """Free today's bookings that started more than ``release_after_minutes`` ago without a check-in.

    Does nothing unless the admin turned on ``release_unchecked``; one UPDATE, however many rows.
    """
    if not ctx.setting("reservations", "release_unchecked"):
        return
    after = dt.timedelta(minutes=int(ctx.setting("reservations", "release_after_minutes")))
    now = ctx.now
    ctx.session.execute(sa.update(Booking).where(
        Booking.status == HOLDING, Booking.checked_in_at.is_(None), Booking.starts_at <= now - after,
        Booking.starts_at > now - dt.timedelta(days=1), Booking.ends_at > now).values(status="released"))


def search_sources() -> list[Any]:
    """The resources as one kind of search result, for ``organet search reindex``."""
    from organet.search import SearchSource

    def documents(session: Any) -> Any:
        for resource in session.scalars(sa.select(Resource).where(Resource.active.is_(True))):
            yield events.search_document(resource)

    return [SearchSource("reservations", "resource", N_("Rooms and resources"), documents)]
