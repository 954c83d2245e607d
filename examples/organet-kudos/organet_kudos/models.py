"""The kudos table: who thanked whom, for what, and when."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organet.db import Model, UTCDateTime, utcnow
from organet.people import User


class Kudo(Model):
    """One thank-you from a colleague to another."""

    __tablename__ = "kudos_given"

    id: Mapped[int] = mapped_column(primary_key=True)
    giver_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    receiver_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    giver: Mapped[User] = relationship(foreign_keys=[giver_id], lazy="joined")
    receiver: Mapped[User] = relationship(foreign_keys=[receiver_id], lazy="joined")
