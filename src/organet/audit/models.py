"""The audit tables: the append-only records and the one row that holds the head of their hash chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow


class AuditRecord(Model):
    """One security-relevant event. ``hash`` covers ``prev_hash`` and every other column, so edits show.

    ``actor_name`` keeps who did it readable after the person is erased.
    """

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                                     autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No foreign key: erasing a person must not rewrite (and so break) the chain.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, default=None, index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    target: Mapped[str] = mapped_column(sa.String(250), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditHead(Model):
    """The single row (id 1) holding the last sequence number and hash; writers lock it to append in turn."""

    __tablename__ = "audit_heads"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), default=0)
    hash: Mapped[str] = mapped_column(sa.String(64), default="")
