"""The search index's tables: one row per searchable document, and the groups that may see it.

The full-text part lives next to these rows and is database-specific (see the migration and
docs/search.md): an FTS5 table kept in step by triggers on SQLite, generated ``tsvector``
columns with GIN indexes on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow

VISIBILITIES = ("employees", "groups", "owner")


class IndexedDocument(Model):
    """A document in the index: what to find it by, where it links to, and who may see it.

    On PostgreSQL ``body`` holds the text (and generated ``tsvector`` columns index it). On
    SQLite ``body`` stays empty and the text lives only in the FTS5 table ``search_fts``, so
    these rows stay narrow and the permission check on a thousand candidates reads few pages.
    """

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(80))
    visibility: Mapped[str] = mapped_column(sa.String(12), default="employees")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), default=None,
                                                 index=True)
    boost: Mapped[float] = mapped_column(sa.Float, default=1.0)
    date: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    language: Mapped[str] = mapped_column(sa.String(5), default="nl")
    url: Mapped[str] = mapped_column(sa.String(500))
    indexed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        # object_id first: no index may start with plugin (see organet.search.query, PostgreSQL).
        sa.UniqueConstraint("object_id", "kind", "plugin"),
        sa.Index("ix_search_documents_kind", "kind"),
    )


class Grant(Model):
    """That members of a group may see a document (``shared=False``), or externals in it (``shared=True``)."""

    __tablename__ = "search_grants"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("search_documents.id", ondelete="CASCADE"),
                                             primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)
    shared: Mapped[bool] = mapped_column(primary_key=True, default=False)
